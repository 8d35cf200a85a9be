import Foundation
import MinibotClient
import MinibotCore

/// Follows a master's `GET /api/v2/events` long poll, so tests wait on events (a build
/// finished, a worker attached) instead of sleeping.
public actor EventFollower {
    private let client: MinibotClient
    private var after: Int64
    private var seen: [JSONValue] = []

    private init(client: MinibotClient, after: Int64) {
        self.client = client
        self.after = after
    }

    /// Starts following from the master's newest event.
    public static func start(client: MinibotClient) async throws -> EventFollower {
        let answer = try await client.get("api/v2/events?timeout=0")
        return EventFollower(client: client, after: Int64(answer["last"]?.doubleValue ?? 0))
    }

    /// Follows from the master's first event: after a restart, what happened while the
    /// test was reconnecting (a worker attached, a request re-evaluated) is not missed.
    public static func fromBeginning(client: MinibotClient) -> EventFollower {
        EventFollower(client: client, after: 0)
    }

    /// Every event received so far.
    public var events: [JSONValue] { seen }

    /// Waits for the first event (seen before or arriving later) that satisfies `predicate`.
    public func wait(timeout: Double = 120, _ what: String = "event",
                     where predicate: @Sendable (JSONValue) -> Bool) async throws -> JSONValue {
        if let hit = seen.first(where: predicate) { return hit }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let left = max(1, min(30, deadline.timeIntervalSinceNow))
            let answer = try await client.get("api/v2/events?after=\(after)&timeout=\(left)")
            if case .array(let list)? = answer["events"] {
                seen.append(contentsOf: list)
                if let last = list.last?["seq"]?.doubleValue { after = Int64(last) }
                if let hit = list.first(where: predicate) { return hit }
            }
        }
        throw FixtureError("timed out after \(Int(timeout)) s waiting for \(what); events: \(seen.suffix(20))")
    }

    /// Waits for `build_finished` of a request on this master (not one another master ran, whose
    /// events carry `master`); returns the event.
    public func buildFinished(request: Int64, timeout: Double = 120) async throws -> JSONValue {
        try await wait(timeout: timeout, "build of request \(request) to finish") {
            $0["type"]?.stringValue == "build_finished" && $0["buildrequestid"]?.doubleValue == Double(request) && $0["master"] == nil
        }
    }

    /// Waits for `build_started` of a request on this master.
    public func buildStarted(request: Int64, timeout: Double = 120) async throws -> JSONValue {
        try await wait(timeout: timeout, "build of request \(request) to start") {
            $0["type"]?.stringValue == "build_started" && $0["buildrequestid"]?.doubleValue == Double(request) && $0["master"] == nil
        }
    }

    /// Waits for a worker to attach.
    public func workerAttached(_ name: String, timeout: Double = 120) async throws {
        _ = try await wait(timeout: timeout, "worker \(name) to attach") {
            $0["type"]?.stringValue == "worker_attached" && $0["worker"]?.stringValue == name
        }
    }

    /// Waits for the `request_waiting` event of a request whose reasons contain `text`.
    public func requestWaiting(_ request: Int64, containing text: String, timeout: Double = 120) async throws -> JSONValue {
        try await wait(timeout: timeout, "request \(request) to wait with '\(text)'") { e in
            guard e["type"]?.stringValue == "request_waiting", e["buildrequestid"]?.doubleValue == Double(request),
                  case .array(let reasons)? = e["reasons"] else { return false }
            return reasons.contains { $0["reason"]?.stringValue?.contains(text) ?? false }
        }
    }

    /// The first event matching `predicate` on any of several masters' streams (each master
    /// tells of its own builds); the other waits are cancelled.
    public static func first(on followers: [EventFollower], timeout: Double = 120, _ what: String,
                             where predicate: @escaping @Sendable (JSONValue) -> Bool) async throws -> JSONValue {
        try await withThrowingTaskGroup(of: JSONValue.self) { group in
            for follower in followers {
                group.addTask { try await follower.wait(timeout: timeout, what, where: predicate) }
            }
            var failure: (any Error)?
            while let result = await group.nextResult() {
                switch result {
                case .success(let event):
                    group.cancelAll()
                    return event
                case .failure(let error):
                    failure = failure ?? error
                }
            }
            throw failure ?? FixtureError("no master to follow")
        }
    }
}
