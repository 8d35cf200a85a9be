import DequeModule
import Foundation
import MinibotCore
import Synchronization

/// The master's recent events (builds, steps, requests, workers, changes), numbered, for
/// `GET /api/v2/events?after=N&timeout=S`: a long poll that answers as soon as there is an
/// event after N. Clients (the CLI's `--wait`, tests, the benchmark) follow the master
/// with it instead of polling.
final class EventLog: Sendable {
    struct Event: Sendable {
        var seq: Int64
        var time: Date
        var type: MasterEvent
        var fields: [String: JSONValue]
        /// The master that recorded it, when another one did (several masters on one
        /// database: ``EventRelay`` brings their build events here); nil for this master's own.
        var origin: String? = nil

        var json: JSONValue {
            var o = fields
            if let origin { o["master"] = .string(origin) }
            o["seq"] = .number(Double(seq))
            o["time"] = .number(time.timeIntervalSince1970)
            o["type"] = .string(type.rawValue)
            return .object(o)
        }
    }

    private struct State {
        /// Consecutive sequence numbers, oldest first: an event's index is its `seq` minus
        /// the first one's, so neither recording nor reading scans the log.
        var events: Deque<Event> = []
        var nextSeq: Int64 = 1
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
        /// The newest event of each type, so a page's stream asks "anything of these since
        /// N?" without copying or scanning the log.
        var lastOfType: [MasterEvent: Int64] = [:]
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let clock: any WallClock

    init(capacity: Int = 10_000, clock: any WallClock) {
        self.capacity = capacity
        self.clock = clock
    }

    func record(_ type: MasterEvent, _ fields: [String: JSONValue]) {
        record(type, fields, at: clock.now(), origin: nil)
    }

    /// Records an event another master recorded at `time` (its own clock), under this log's
    /// next number.
    func record(_ type: MasterEvent, _ fields: [String: JSONValue], at time: Date, origin: String?) {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.events.append(Event(seq: s.nextSeq, time: time, type: type, fields: fields, origin: origin))
            s.lastOfType[type] = s.nextSeq
            s.nextSeq += 1
            if s.events.count > capacity { s.events.removeFirst(s.events.count - capacity) }  // O(1) on a Deque
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for w in waiters { w.resume() }
    }

    /// The sequence number of the newest event (0 when none).
    var last: Int64 { state.withLock { $0.nextSeq - 1 } }

    /// Events after `seq`, waiting up to `timeout` seconds for the first one.
    func events(after seq: Int64, timeout: Double) async -> [Event] {
        let deadline = deadline(timeout)
        while true {
            let found = state.withLock { s -> [Event] in
                guard let first = s.events.first?.seq, seq < s.nextSeq - 1 else { return [] }
                // No arithmetic on `seq` beyond this comparison: it comes from the client and
                // may be Int64.max or .min.
                guard seq >= first else { return Array(s.events) }
                return Array(s.events[Int(seq - first + 1)...])
            }
            if !found.isEmpty || clock.now() >= deadline || Task.isCancelled { return found }
            await waitForNewer(than: seq, until: deadline)
        }
    }

    /// Waits up to `timeout` seconds for an event after `seq`, copying nothing; the newest
    /// sequence number (not above `seq` when none came).
    func wait(after seq: Int64, timeout: Double) async -> Int64 {
        let deadline = deadline(timeout)
        while true {
            let newest = last
            if newest > seq || clock.now() >= deadline || Task.isCancelled { return newest }
            await waitForNewer(than: seq, until: deadline)
        }
    }

    /// The newest event of each of `types` after `seq`, by type.
    func newest(of types: Set<MasterEvent>, after seq: Int64) -> [MasterEvent: Int64] {
        state.withLock { s in s.lastOfType.filter { types.contains($0.key) && $0.value > seq } }
    }

    private func deadline(_ timeout: Double) -> Date {
        // A NaN or infinite timeout from a client must not reach a sleep (it would trap).
        clock.now().addingTimeInterval(timeout.isFinite ? max(0, min(timeout, 300)) : 0)
    }

    /// Returns once an event after `seq` is recorded or `deadline` passes.
    private func waitForNewer(than seq: Int64, until deadline: Date) async {
        let id = UUID()
        let timer = Task { [weak self, clock] in
            try? await clock.sleep(until: deadline)
            self?.release(id)
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                if s.nextSeq - 1 > seq { return true }
                s.waiters[id] = c
                return false
            }
            if ready { c.resume() }
        }
        timer.cancel()
    }

    private func release(_ id: UUID) {
        let w = state.withLock { $0.waiters.removeValue(forKey: id) }
        w?.resume()
    }
}

extension EventLog {
    /// Records a plugin-visible event under its API name.
    func record(_ event: PluginEvent) {
        func build(_ i: BuildEventInfo) -> [String: JSONValue] {
            ["buildid": .number(Double(i.buildID)), "number": .number(Double(i.number)),
             "buildrequestid": .number(Double(i.requestID)), "builder": .string(i.builder), "worker": .string(i.worker)]
        }
        switch event {
        case .workerAttached(let w): record(.workerAttached, ["worker": .string(w.name)])
        case .workerDetached(let name): record(.workerDetached, ["worker": .string(name)])
        case .buildStarted(let i): record(.buildStarted, build(i))
        case .buildFinished(let i, let result):
            var f = build(i)
            f["results"] = .number(Double(result.rawValue))
            f["results_name"] = .string(result.name)
            record(.buildFinished, f)
        case .requestRemoved(let id): record(.requestRemoved, ["buildrequestid": .number(Double(id))])
        case .configReloaded: record(.configReloaded, [:])
        case .workerStatus(let worker, let status):
            // Lets clients time what follows a report (the availability benchmark's load drop);
            // one event per worker per status interval (5 s by default) is cheap.
            var f: [String: JSONValue] = ["worker": .string(worker), "load": .number(status.load1)]
            if let pressure = status.cpuPressure { f["cpu_pressure"] = .number(pressure) }
            record(.workerStatus, f)
        case .workerMessage: break
        }
    }
}
