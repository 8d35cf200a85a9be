import ArgumentParser
import Foundation
import MinibotClient
import MinibotCore

/// `minibot availability show|set`: the availability plugin's flags and verdicts.
struct AvailabilityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "availability",
        abstract: "Show or set workers' availability, or simulate a policy (the availability plugin).",
        subcommands: [Show.self, Set.self, AvailabilitySimulate.self], defaultSubcommand: Show.self)

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each worker's state, reason, who set it and until when.")
        @OptionGroup var master: MasterOptions

        func run() async throws {
            let client = try master.client()
            let answer: JSONValue
            do {
                answer = try await client.get("api/v2/plugins/availability/workers")
            } catch .http(404, _) {
                throw Failure.failed("""
                    this master runs without the availability plugin: add `availability: {}` under `plugins:` \
                    in master.cfg (see the README's Availability section), then run `minibot reconfig`
                    """)
            } catch {
                throw error.failure
            }
            guard case .array(let list)? = answer["workers"] else { throw Failure.failed("unexpected answer: \(answer)") }
            var rows: [[String]] = []
            for w in list {
                let a = w["availability"] ?? w
                let until = a["until_text"]?.stringValue ?? a["until"]?.doubleValue.map { formatTime($0) } ?? "-"
                let load = a["load"]?.doubleValue.map { String(format: "%.2f", $0) } ?? "-"
                rows.append([w["name"]?.stringValue ?? "", a["state"]?.stringValue ?? "?",
                             a["reason"]?.stringValue ?? "-", a["set_by"]?.stringValue ?? "-", until, load])
            }
            printTable(["WORKER", "STATE", "REASON", "SET BY", "UNTIL", "LOAD"], rows)
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a worker's flag: available, advisory (rank last) or unavailable (no new builds).")
        @OptionGroup var master: MasterOptions
        @Argument(help: "The worker.") var name: String
        @Argument(help: "available, advisory or unavailable.") var state: String
        @Option(name: .long, help: "Why.") var reason: String?
        @Option(name: .customLong("for"), help: "Expire after this long, e.g. 2h.") var duration: String?
        @Option(name: .long, help: "Expire at this time, e.g. 17:00.") var until: String?
        @Option(name: .customLong("as"), help: "Who sets the flag (default: $USER).") var who: String?

        func run() async throws {
            guard ["available", "advisory", "unavailable"].contains(state) else {
                throw Failure.usage("state must be available, advisory or unavailable, not '\(state)'")
            }
            if let duration, DurationText.seconds(duration) == nil {
                throw Failure.usage("--for takes a duration like 90s, 5m or 2h, not '\(duration)'")
            }
            let client = try master.client(needsToken: true)
            var body: [String: JSONValue] = ["state": .string(state),
                                             "by": .string(who ?? Self.user)]
            if let reason { body["reason"] = .string(reason) }
            if let duration { body["for"] = .string(duration) }
            if let until { body["until"] = .string(until) }
            try await call { () async throws(ClientError) in
                try await client.post("api/v2/plugins/availability/workers/\(name)", .object(body))
            }
            print("worker \(name) is now \(state)")
        }

        /// `$USER`, else `$LOGNAME`, else the login name of the process's user: a flag says who
        /// set it ("flagged by cli" told nobody anything).
        static var user: String {
            let env = ProcessInfo.processInfo.environment
            if let name = env["USER"] ?? env["LOGNAME"], !name.isEmpty { return name }
            let login = ProcessInfo.processInfo.userName
            return login.isEmpty ? "cli" : login
        }
    }
}
