import ArgumentParser
import MinibotClient
import MinibotCore

/// `minibot stop-build ID`: cancels a running build (its processes are killed).
struct StopBuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop-build", abstract: "Stop a running build; it ends CANCELLED, or RETRY with --retry (it runs again).")

    @OptionGroup var master: MasterOptions
    @Argument(help: "The build id (buildid in the API).") var build: Int64
    @Option(name: .long, help: "Why.") var reason: String = "stopped from the command line"
    @Flag(name: .long, help: "End it RETRY: its request is pending again and runs on the next usable worker.")
    var retry = false

    func run() async throws {
        let client = try master.client(needsToken: true)
        try await call { () async throws(ClientError) in
            var body: [String: JSONValue] = ["reason": .string(reason)]
            if retry { body["results"] = .string("RETRY") }
            try await client.post("api/v2/builds/\(build)/stop", .object(body))
        }
        print(retry ? "build \(build) is stopping; it will run again" : "build \(build) is stopping")
    }
}
