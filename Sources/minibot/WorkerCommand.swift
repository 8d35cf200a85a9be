import ArgumentParser
import Foundation
import MinibotClient
import MinibotCore

/// `minibot worker pause|unpause|stop|kill|drain|undrain NAME`: Buildbot's worker actions,
/// and drains.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Pause, unpause, drain, undrain, gracefully stop or kill a worker.",
        discussion: """
            pause: no new builds (persisted across master restarts); unpause: builds start again at once; \
            drain: no new builds, running ones finish, and with --deadline those still running then end RETRY \
            and run on another worker; undrain: lift a drain; stop: finish running builds, then disconnect; \
            kill: disconnect now.
            """)

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case pause, unpause, stop, kill, drain, undrain
    }

    @OptionGroup var master: MasterOptions
    @Argument(help: "pause, unpause, drain, undrain, stop or kill.") var action: Action
    @Argument(help: "The worker.") var name: String
    @Option(name: .long, help: "Why (shown on waiting requests).") var reason: String?
    @Option(name: .long, help: "drain: how long running builds may go on, e.g. 30m; then they end RETRY.")
    var deadline: String?
    @Option(name: .customLong("as"), help: "drain: who asks (default: $USER).") var who: String?

    func run() async throws {
        if deadline != nil, action != .drain { throw Failure.usage("--deadline goes with drain only") }
        if let deadline, DurationText.seconds(deadline) == nil {
            throw Failure.usage("--deadline takes a duration like 90s, 30m or 2h, not '\(deadline)'")
        }
        let client = try master.client(needsToken: true)
        var body: [String: JSONValue] = [:]
        if let reason { body["reason"] = .string(reason) }
        if action == .drain {
            if let deadline { body["deadline"] = .string(deadline) }
            body["by"] = .string(who ?? AvailabilityCommand.Set.user)
        }
        try await call { () async throws(ClientError) in
            try await client.post("api/v2/workers/\(name)/\(action.rawValue)", .object(body))
        }
        switch action {
        case .pause: print("worker \(name) paused: no new builds")
        case .unpause: print("worker \(name) unpaused")
        case .stop: print("worker \(name) stopping: running builds finish, then it disconnects")
        case .kill: print("worker \(name) killed: running builds end RETRY")
        case .drain:
            print(deadline.map { "worker \(name) draining: no new builds; builds still running in \($0) end RETRY" }
                  ?? "worker \(name) draining: no new builds; running builds finish")
        case .undrain: print("worker \(name) undrained: it takes new builds again")
        }
    }
}
