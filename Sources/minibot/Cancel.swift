import ArgumentParser
import MinibotClient
import MinibotCore

/// `minibot cancel ID`: cancels a build request that has not started (Buildbot's cancel).
struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a waiting build request; it ends CANCELLED without a build (a started one: use stop-build).")

    @OptionGroup var master: MasterOptions
    @Argument(help: "The build request id (buildrequestid in the API, as `minibot pending` shows it).") var request: Int64
    @Option(name: .long, help: "Why.") var reason: String = "cancelled from the command line"

    func run() async throws {
        let client = try master.client(needsToken: true)
        try await call { () async throws(ClientError) in
            try await client.post("api/v2/buildrequests/\(request)/cancel", .object(["reason": .string(reason)]))
        }
        print("build request \(request) cancelled")
    }
}
