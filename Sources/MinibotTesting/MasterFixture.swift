import Foundation
import MinibotClient
import MinibotCore

/// A real `minibot start` process on 127.0.0.1 and a free port, in its own directory.
public final class MasterFixture: Sendable {
    public let directory: URL
    public let token: String
    public let process: ChildProcess
    public let url: String

    /// Writes `config` as `DIR/master.cfg` (with `PORT` left to the master: `--port 0`)
    /// and an admin token, starts the master and waits until it listens.
    public static func start(config: String, in directory: URL, token: String = "test-token",
                             extraArguments: [String] = []) async throws -> MasterFixture {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try config.write(to: directory.appendingPathComponent("master.cfg"), atomically: true, encoding: .utf8)
        try (token + "\n").write(to: directory.appendingPathComponent("admin.token"), atomically: true, encoding: .utf8)
        return try await restart(in: directory, token: token, extraArguments: extraArguments)
    }

    /// Starts a master on an existing directory (e.g. after a crash).
    public static func restart(in directory: URL, token: String = "test-token", port: Int = 0,
                               extraArguments: [String] = []) async throws -> MasterFixture {
        let logPath = directory.appendingPathComponent("master-\(UUID().uuidString.prefix(6)).log").path
        let process = try ChildProcess(Binaries.path("minibot"),
                                       ["start", directory.path, "--port", String(port), "--log-level", "debug"] + extraArguments,
                                       name: "master", logPath: logPath)
        guard let line = await process.waitForLine(where: { $0.contains("listening on http://") }),
              let range = line.range(of: "http://") else {
            await process.stop()
            throw FixtureError("master did not start:\n\(process.log.suffix(4000))")
        }
        return MasterFixture(directory: directory, token: token, process: process, url: String(line[range.lowerBound...]))
    }

    private init(directory: URL, token: String, process: ChildProcess, url: String) {
        self.directory = directory
        self.token = token
        self.process = process
        self.url = url
    }

    /// The bound port.
    public var port: Int { Int(url.split(separator: ":").last ?? "0") ?? 0 }

    public var client: MinibotClient { MinibotClient(baseURL: url, token: token) }

    /// A client without the token, to check that writes are refused.
    public var anonymous: MinibotClient { MinibotClient(baseURL: url) }

    public func stop() async { await process.stop() }

    /// Forces a build; returns the build request id.
    public func force(_ builder: String, properties: [String: String] = [:], reason: String = "test") async throws -> Int64 {
        let answer = try await client.post("api/v2/builders/\(builder)/force", .object([
            "reason": .string(reason), "properties": .object(properties.mapValues { .string($0) }),
        ]))
        guard case .array(let ids)? = answer["buildrequestids"], let id = ids.first?.doubleValue else {
            throw FixtureError("force answered \(answer)")
        }
        return Int64(id)
    }

    /// Follows the master's event stream from now on.
    public func events() async throws -> EventFollower {
        try await EventFollower.start(client: client)
    }

    /// A build's JSON (`api/v2/builds/ID`, with steps).
    public func build(_ id: Int64) async throws -> JSONValue {
        let answer = try await client.get("api/v2/builds/\(id)")
        guard case .array(let list)? = answer["builds"], let b = list.first else { throw FixtureError("no build \(id)") }
        return b
    }

    /// A step's raw log.
    public func log(build: Int64, step: Int) async throws -> String {
        try await client.getText("api/v2/builds/\(build)/steps/\(step)/logs/stdio/raw")
    }

    /// The pending request's waiting reasons, as `worker: reason` lines.
    public func waitingReasons(_ request: Int64) async throws -> [String] {
        let answer = try await client.get("api/v2/buildrequests?claimed=false&complete=false")
        guard case .array(let list)? = answer["buildrequests"],
              let r = list.first(where: { $0["buildrequestid"]?.doubleValue == Double(request) }),
              case .array(let reasons)? = r["waiting_reasons"] else { return [] }
        return reasons.map { ($0["worker"]?.stringValue.map { "\($0): " } ?? "") + ($0["reason"]?.stringValue ?? "") }
    }
}

/// A test fixture could not be set up.
public struct FixtureError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
