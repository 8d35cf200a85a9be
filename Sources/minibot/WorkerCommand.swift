import ArgumentParser
import MinibotClient
import MinibotCore

/// `minibot worker pause|unpause|stop|kill NAME`: Buildbot's worker actions.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Pause, unpause, gracefully stop or kill a worker.",
        discussion: "pause: no new builds (persisted across master restarts); unpause: builds start again at once; stop: finish running builds, then disconnect; kill: disconnect now.")

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case pause, unpause, stop, kill
    }

    @OptionGroup var master: MasterOptions
    @Argument(help: "pause, unpause, stop or kill.") var action: Action
    @Argument(help: "The worker.") var name: String
    @Option(name: .long, help: "Why (shown on waiting requests).") var reason: String?

    func run() async throws {
        let client = try master.client(needsToken: true)
        var body: [String: JSONValue] = [:]
        if let reason { body["reason"] = .string(reason) }
        try await call { () async throws(ClientError) in
            try await client.post("api/v2/workers/\(name)/\(action.rawValue)", .object(body))
        }
        print("worker \(name): \(action.rawValue) done")
    }
}
