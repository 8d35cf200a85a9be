import ArgumentParser
import MinibotClient
import MinibotCore

/// `minibot stop-build ID`: cancels a running build (its processes are killed).
struct StopBuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop-build", abstract: "Stop a running build; it ends CANCELLED.")

    @OptionGroup var master: MasterOptions
    @Argument(help: "The build id (buildid in the API).") var build: Int64
    @Option(name: .long, help: "Why.") var reason: String = "stopped from the command line"

    func run() async throws {
        let client = try master.client(needsToken: true)
        try await call { () async throws(ClientError) in
            try await client.post("api/v2/builds/\(build)/stop", .object(["reason": .string(reason)]))
        }
        print("build \(build) is stopping")
    }
}
