import ArgumentParser
import Foundation
import MinibotClient
import MinibotCore

/// `minibot force BUILDER`: submits a build request through a force scheduler.
struct Force: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Force a build of BUILDER; with --wait, follow it and exit 0 only on SUCCESS or WARNINGS.")

    @OptionGroup var master: MasterOptions

    @Argument(help: "The builder.") var builder: String
    @Option(name: .long, help: "Why.") var reason: String = "forced from the command line"
    @Option(name: .customLong("property"), help: "A build property K=V (repeatable).") var properties: [String] = []
    @Option(name: .long, help: "Branch to build.") var branch: String?
    @Option(name: .long, help: "Exact revision to build.") var revision: String?
    @Option(name: .long, help: "Priority (higher runs first).") var priority: Int?
    @Flag(name: .long, help: "Wait for the build and print its steps and result.") var wait = false

    func run() async throws {
        var props: [String: JSONValue] = [:]
        for p in properties {
            guard let eq = p.firstIndex(of: "="), eq != p.startIndex else {
                throw Failure.usage("--property takes K=V, got '\(p)'")
            }
            props[String(p[..<eq])] = .string(String(p[p.index(after: eq)...]))
        }
        var body: [String: JSONValue] = ["reason": .string(reason), "properties": .object(props)]
        if let branch { body["branch"] = .string(branch) }
        if let revision { body["revision"] = .string(revision) }
        if let priority { body["priority"] = .number(Double(priority)) }
        let client = try master.client(needsToken: true)
        let answer = try await call { () async throws(ClientError) in
            try await client.post("api/v2/builders/\(builder)/force", .object(body))
        }
        guard case .array(let ids)? = answer["buildrequestids"], let first = ids.first?.intValue else {
            throw Failure.failed("unexpected answer from the master: \(answer)")
        }
        let requestID = Int64(first)
        print("build request \(requestID) submitted for \(builder)")
        guard wait else { return }
        let result = try await BuildFollower(client: client).follow(requestID: requestID)
        if !result.isPassing { throw ExitCode(1) }
    }
}

/// Follows builds through the master's event stream (`GET /api/v2/events`, a long poll):
/// prints the build number, each step's result as it ends, and the build result.
struct BuildFollower {
    let client: MinibotClient

    /// Waits for the build of `requestID` (retries included) to end.
    func follow(requestID: Int64, timeout: Double = 86_400) async throws -> BuildResult {
        try await follow(timeout: timeout, describe: "request \(requestID)") { build in
            build["buildrequestid"]?.intValue == Int(requestID)
        }
    }

    /// Waits for a build matching `matches` (a build JSON from the API) to start and end.
    func follow(timeout: Double, describe: String, matches: @escaping (JSONValue) -> Bool) async throws -> BuildResult {
        let deadline = Date().addingTimeInterval(timeout)
        var after = Int64(try await call { () async throws(ClientError) in
            try await client.get("api/v2/events?timeout=0")
        }["last"]?.intValue ?? 0)
        var current: Int64?
        // A build that started before we listened: find it in the recent builds.
        let recent = try await call { () async throws(ClientError) in try await client.get("api/v2/builds?limit=50") }
        if case .array(let list)? = recent["builds"], let b = list.first(where: matches), let id = b["buildid"]?.intValue {
            current = Int64(id)
            announce(b)
            if b["complete"]?.boolValue == true, let result = b["results"]?.intValue.flatMap(BuildResult.init(rawValue:)),
               result != .retry {
                try await printSteps(Int64(id))
                print("result: \(result.name)")
                return result
            }
        }
        while Date() < deadline {
            let wait = max(1, min(30, deadline.timeIntervalSinceNow))
            let answer = try await call { () async throws(ClientError) in
                try await client.get("api/v2/events?after=\(after)&timeout=\(wait)")
            }
            after = answer["last"]?.intValue.map(Int64.init) ?? after
            guard case .array(let events)? = answer["events"] else { continue }
            for e in events {
                let buildID = e["buildid"]?.intValue.map(Int64.init)
                switch e["type"]?.stringValue {
                case "build_started":
                    guard current == nil, let buildID else { continue }
                    let b = try await build(buildID)
                    if matches(b) {
                        current = buildID
                        announce(b)
                    }
                case "step_finished" where buildID != nil && buildID == current:
                    let name = e["name"]?.stringValue ?? ""
                    let r = e["results"]?.intValue.flatMap(BuildResult.init(rawValue:))
                    print("  step \(e["step"]?.intValue ?? 0) \(name): \(r?.name ?? "?")")
                case "build_finished" where buildID != nil && buildID == current:
                    let r = e["results"]?.intValue.flatMap(BuildResult.init(rawValue:)) ?? .exception
                    if r == .retry {
                        print("build ended RETRY; waiting for the retry")
                        current = nil
                        continue
                    }
                    if let buildID { try await printLastLog(buildID) }
                    print("result: \(r.name)")
                    return r
                default:
                    continue
                }
            }
        }
        throw Failure.failed("timed out waiting for the build of \(describe)")
    }

    private func build(_ id: Int64) async throws -> JSONValue {
        let answer = try await call { () async throws(ClientError) in try await client.get("api/v2/builds/\(id)") }
        guard case .array(let list)? = answer["builds"], let b = list.first else { return .null }
        return b
    }

    private func announce(_ b: JSONValue) {
        print("build \(b["builder"]?.stringValue ?? "") #\(b["number"]?.intValue ?? 0) (buildid \(b["buildid"]?.intValue ?? 0)) started on \(b["workername"]?.stringValue ?? "")")
    }

    private func printSteps(_ id: Int64) async throws {
        let b = try await build(id)
        guard case .array(let steps)? = b["steps"] else { return }
        for s in steps {
            print("  step \(s["number"]?.intValue ?? 0) \(s["name"]?.stringValue ?? ""): \(s["results_name"]?.stringValue ?? "running")")
        }
    }

    /// Prints the last step's log, indented (the build's visible output).
    private func printLastLog(_ id: Int64) async throws {
        let b = try await build(id)
        guard case .array(let steps)? = b["steps"], let last = steps.last, let n = last["number"]?.intValue else { return }
        let text = try await call { () async throws(ClientError) in
            try await client.getText("api/v2/builds/\(id)/steps/\(n)/logs/stdio/raw")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(20)
        print("  log of step \(n) (\(last["name"]?.stringValue ?? "")):")
        for l in lines where !l.isEmpty { print("    | \(l)") }
    }
}

/// `minibot follow`: waits for a build (of a request, or of a revision) and prints it.
struct Follow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Wait for a build of a request or a revision to end, printing its steps; exit 0 only on SUCCESS or WARNINGS.")

    @OptionGroup var master: MasterOptions
    @Option(name: .long, help: "A build request id.") var request: Int64?
    @Option(name: .long, help: "A revision (commit id): follow the first build of it.") var revision: String?
    @Option(name: .long, help: "Give up after this many seconds.") var timeout: Double = 3600

    func run() async throws {
        guard request != nil || revision != nil else { throw Failure.usage("say what to follow: --request ID or --revision SHA") }
        let follower = BuildFollower(client: try master.client())
        let result: BuildResult
        if let request {
            result = try await follower.follow(requestID: request, timeout: timeout)
        } else {
            let rev = revision!
            result = try await follower.follow(timeout: timeout, describe: "revision \(rev)") { b in
                guard case .object(let props)? = b["properties"] else { return false }
                return [props["revision"], props["got_revision"]].contains { $0?.stringValue == rev }
            }
        }
        if !result.isPassing { throw ExitCode(1) }
    }
}
