import ArgumentParser
import MinibotClient
import MinibotCore

/// `minibot rebuild ID`: asks for a build again with the same source and properties.
struct Rebuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Request a build again: same builder, source, properties and priority (its changes are kept).")

    @OptionGroup var master: MasterOptions
    @Argument(help: "The build id (buildid in the API, the number in /builds/ID).") var build: Int64

    func run() async throws {
        let client = try master.client(needsToken: true)
        let answer = try await call { () async throws(ClientError) in
            try await client.post("api/v2/builds/\(build)/rebuild")
        }
        var ids: [String] = []
        if case .array(let list)? = answer["buildrequestids"] { ids = list.compactMap { $0.intValue }.map(String.init) }
        print("rebuild of build \(build) requested: build request \(ids.joined(separator: ", "))")
    }
}
