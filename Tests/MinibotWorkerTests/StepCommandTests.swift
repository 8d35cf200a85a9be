import Foundation
import MinibotCore
import MinibotProtocol
import Testing

/// The wire step type is separate from the configuration's, but reads the same on the wire.
@Suite struct StepCommandTests {
    @Test(arguments: [
        StepAction.shell(.argv(["make", "test"])),
        .shell(.script("echo hi && true")),
        .git(GitCheckoutSpec(repository: "/srv/git/r.git", mode: .full, branch: "main")),
        .git(GitCheckoutSpec(repository: "host:r.git")),
    ])
    func theWireFormIsTheConfiguredActionsJSON(_ action: StepAction) throws {
        let encoder = WorkerWire.encoder()
        encoder.outputFormatting = .sortedKeys
        let wire = try encoder.encode(StepCommand(action))
        #expect(String(decoding: wire, as: UTF8.self) == String(decoding: try encoder.encode(action), as: UTF8.self))
        #expect(try WorkerWire.decoder().decode(StepCommand.self, from: wire) == StepCommand(action))
    }
}
