import Foundation
import Logging
import MinibotCore
import MinibotStore
import ServiceLifecycle

/// Several masters on one database: every master shows every build live, whichever master
/// runs it. This master's shared events (``MasterEvent/isShared``: builds, steps, their
/// output, submitted and cancelled requests, changes) go from its ``EventLog`` into its stream
/// in the database (``SharedStore/appendEvents(_:master:)``); the other masters' streams are
/// read back by their positions and recorded in the log under this master's numbers, with
/// the writer's name (`"master"` in the API). So `GET /api/v2/events`, `minibot follow`,
/// `minibot force --wait` and a build's page work on any master; the output itself is read
/// from the shared logs, as for a local build.
///
/// At most one write and one read per ``interval``: the first event after a quiet spell goes
/// out at once, and under load one statement carries many events. A read follows each
/// ``StoreWakeUp/events(_:)`` hint of another master, each rescan, and ``backstop``. Metrics
/// count only this master's own events.
struct EventRelay: Service {
    /// The shortest time between two writes, and between two reads.
    static let interval: Double = 0.1
    /// Events in one statement, each way.
    static let pageSize = 500
    /// Between reads when no hint came.
    static let backstop: Double = 30
    /// How many of its newest events each master's stream keeps in the database.
    static let keep = 50_000
    /// Between two prunings of the streams.
    static let pruneInterval: Double = 60
    /// How often an append is tried again while this master is not (yet) registered.
    static let unregisteredAttempts = 10

    let store: any SharedStore
    let events: EventLog
    let masterName: String
    let logger: Logger
    let clock: any WallClock
    private let hints: WakeSignal

    init(store: any SharedStore, events: EventLog, masterName: String, logger: Logger, clock: any WallClock) {
        self.store = store
        self.events = events
        self.masterName = masterName
        self.logger = logger
        self.clock = clock
        self.hints = WakeSignal(clock: clock)
    }

    /// Another master appended events (or the listener reconnected): read them.
    func othersWrote() { hints.wake("events") }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await writeOwnEvents() }
                group.addTask { await readOthersEvents() }
                await group.waitForAll()
            }
        }
        hints.finish()
    }

    /// This master's shared events, in `log` order, as the store takes them (an event whose
    /// fields cannot be written as JSON, a non-finite number, is left out).
    static func shareable(_ log: some Sequence<EventLog.Event>) -> [SharedEvent] {
        log.compactMap { e in
            guard e.origin == nil, e.type.isShared, e.fields.values.allSatisfy(isWritable) else { return nil }
            return SharedEvent(time: e.time, type: e.type.rawValue, fields: e.fields)
        }
    }

    /// Whether JSON can hold `value`: everything but a NaN or infinite number, the one thing
    /// the store's encoder refuses (checked here, on the hot path, without encoding twice).
    private static func isWritable(_ value: JSONValue) -> Bool {
        switch value {
        case .number(let n): n.isFinite
        case .array(let items): items.allSatisfy(isWritable)
        case .object(let fields): fields.values.allSatisfy(isWritable)
        case .null, .bool, .string: true
        }
    }

    private func writeOwnEvents() async {
        var sent: Int64 = 0
        while !Task.isCancelled {
            // A short wait: the log's wait does not end on cancellation.
            let recorded = await events.events(after: sent, timeout: 1)
            var rest = recorded[...]
            while !rest.isEmpty && !Task.isCancelled {
                let page = rest.prefix(Self.pageSize)
                rest = rest.dropFirst(page.count)
                await append(Self.shareable(page))
                sent = page.last?.seq ?? sent
                try? await clock.sleep(seconds: Self.interval)
            }
        }
    }

    /// Appends, again after a failure until it lands; dropped when this master stays
    /// unregistered (declared dead: the others stopped trusting what it says anyway).
    private func append(_ page: [SharedEvent]) async {
        guard !page.isEmpty else { return }
        var delay = 0.1, unregistered = 0
        while !Task.isCancelled {
            do {
                if try await store.appendEvents(page, master: masterName) { return }
                unregistered += 1
                if unregistered >= Self.unregisteredAttempts {
                    logger.warning("this master is not registered in the shared database: \(page.count) of its events are not shown by the others")
                    return
                }
            } catch {
                logger.warning("could not write this master's events for the others (trying again): \(error)")
            }
            try? await clock.sleep(seconds: delay)
            delay = min(delay * 2, 5)
        }
    }

    private func readOthersEvents() async {
        var positions: SharedEventPositions?
        var pruned = clock.now()
        while !Task.isCancelled {
            do {
                // Starts where the streams stand now: the others' history is in the database.
                var at: SharedEventPositions
                if let positions { at = positions } else { at = try await store.eventPositions() }
                positions = at
                while !Task.isCancelled {
                    let page = try await store.events(after: at, excluding: masterName, limit: Self.pageSize)
                    for e in page {
                        at[e.masterID] = e.seq
                        if e.type.isEmpty {
                            logger.warning("an event of master \(e.master) (number \(e.seq)) is damaged in the database and is not shown here")
                        }
                        // A kind this master does not know (a newer master's) is skipped.
                        guard let type = MasterEvent(rawValue: e.type), type.isShared else { continue }
                        events.record(type, e.fields, at: e.time, origin: e.master)
                    }
                    positions = at
                    if page.count < Self.pageSize { break }
                }
                if clock.now().timeIntervalSince(pruned) >= Self.pruneInterval {
                    pruned = clock.now()
                    _ = try await store.pruneEvents(keeping: Self.keep)
                }
            } catch {
                logger.warning("could not read the other masters' events (the next wake-up will): \(error)")
            }
            try? await clock.sleep(seconds: Self.interval)
            _ = await hints.next(deadline: clock.now().addingTimeInterval(Self.backstop))
        }
    }
}
