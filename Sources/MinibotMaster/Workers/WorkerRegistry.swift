import Foundation
import Logging
import MinibotCore
import MinibotProtocol
import MinibotStore

/// Every worker the master knows: configured ones, their live links, pause state, running
/// builds and last status report.
///
/// Owns the answer to "who is connected and how busy"; the distributor reads
/// ``states()`` on each pass. Anything that can make a worker usable wakes the distributor
/// (through `wake`), and worker events go to the plugins (through `publish`).
actor WorkerRegistry {
    struct Entry {
        var spec: WorkerSpec
        var link: (any WorkerConnection)?
        var isPaused = false
        var pauseReason: String?
        var running: Set<Int64> = []
        var status: WorkerStatus?
        var lastInfo: WorkerInfo?
        var lastConnected: Date?
        /// Graceful stop requested: no new builds; disconnect when idle.
        var isStopping = false
        /// Removed from the config by a reconfig: disconnect when idle.
        var isRemoved = false
        /// A drain in force: no new builds; running ones end RETRY at its deadline.
        var drain: WorkerDrain?
        /// Requests whose build the drain already ended (the RETRY takes a moment to land).
        var drainTold: Set<Int64> = []
        /// The load reported over the past day, for the worker's page (kept across reconnections).
        var history = LoadHistory()
    }

    private var entries: [String: Entry] = [:]
    private let store: any Store
    private let logger: Logger
    private let wake: @Sendable (String) -> Void
    private let publish: @Sendable (PluginEvent) -> Void

    init(specs: [WorkerSpec], store: any Store, logger: Logger,
         wake: @escaping @Sendable (String) -> Void, publish: @escaping @Sendable (PluginEvent) -> Void) {
        self.store = store
        self.logger = logger
        self.wake = wake
        self.publish = publish
        for spec in specs { entries[spec.name] = Entry(spec: spec) }
    }

    /// Loads persisted pause state (call once at start).
    func restore() async {
        for name in entries.keys {
            if let record = try? await store.workerState(name) {
                entries[name]?.isPaused = record.isPaused
                entries[name]?.pauseReason = record.pauseReason
                entries[name]?.lastInfo = record.info
                entries[name]?.lastConnected = record.lastConnected
            }
        }
    }

    // MARK: connections

    /// Why a worker may not attach: what it is told, and what the master's log says.
    struct Refusal: Sendable, Equatable {
        /// Sent to the worker. An unknown name and a wrong password read the same, so a
        /// refusal does not tell a guesser which worker names exist.
        var message: String
        /// For the master's log only, with the (quoted, cut) name.
        var detail: String
        /// A failed authentication (as opposed to a duplicate connection): it slows the
        /// address down (``HelloThrottle``).
        var isAuthenticationFailure: Bool
        /// The worker is already connected (a stock worker's upgrade is answered 409).
        var isDuplicate = false
    }

    /// The text every failed authentication gets.
    static let authenticationFailed = "unknown worker name or wrong password"

    /// Why a worker with these credentials, connecting with `wireProtocol`, may not attach, or
    /// nil when it may. The same for every worker protocol: each endpoint checks its own
    /// framing, then asks here. The password is compared in constant time, also for an
    /// unknown name (against itself). A worker whose entry names the other `protocol:` gets
    /// the same text as a wrong password (the log says which); a reconfig that changes the
    /// key applies to the next connection, not to one already attached.
    func refusal(name: String, password: String, wireProtocol: WorkerProtocol) -> Refusal? {
        let shown = ClientText.quoted(name)
        let entry = entries[name].flatMap { $0.isRemoved ? nil : $0 }
        let matches = constantTimeEqual(entry?.spec.password ?? password, password)
        guard let entry else {
            return Refusal(message: Self.authenticationFailed, detail: "unknown worker \(shown)", isAuthenticationFailure: true)
        }
        guard matches else {
            return Refusal(message: Self.authenticationFailed, detail: "wrong password for worker \(shown)",
                           isAuthenticationFailure: true)
        }
        if let declared = entry.spec.wireProtocol, declared != wireProtocol {
            // Not a guess (the password was right): it does not slow the address down.
            return Refusal(message: Self.authenticationFailed,
                           detail: "worker \(shown) is declared 'protocol: \(declared.rawValue)' in master.cfg and connected "
                               + "with the \(wireProtocol.rawValue) protocol",
                           isAuthenticationFailure: false)
        }
        if let link = entry.link, !link.isClosed {
            let text = "worker \(shown) is already connected"
            return Refusal(message: text, detail: text, isAuthenticationFailure: false, isDuplicate: true)
        }
        return nil
    }

    /// Attaches a connection after ``refusal(name:password:wireProtocol:)`` returned nil; false if someone
    /// raced it. The connection is brought up (``WorkerConnection/attached()``) before this
    /// actor can be entered again, so no build reaches a worker before its `welcome`.
    func attach(_ link: any WorkerConnection) async -> Bool {
        guard var entry = entries[link.name], entry.link == nil || entry.link!.isClosed else { return false }
        entry.link = link
        entry.lastInfo = link.info
        entry.lastConnected = link.connectedAt
        entry.isStopping = false
        entry.status = nil
        entries[link.name] = entry
        link.attached()
        try? await store.setWorkerState(record(for: entry))
        logger.info("worker attached", metadata: ["worker": "\(link.name)", "host": "\(link.info.hostname)"])
        publish(.workerAttached(snapshot(entry)))
        wake("worker \(link.name) attached")
        return true
    }

    /// Detaches a link (connection closed). Running builds on it are failed by the link.
    func detach(_ link: any WorkerConnection) {
        guard var entry = entries[link.name], entry.link === link else { return }
        entry.link = nil
        entry.status = nil
        entries[link.name] = entry
        logger.info("worker detached", metadata: ["worker": "\(link.name)"])
        publish(.workerDetached(worker: link.name))
        wake("worker \(link.name) detached")
    }

    func link(_ name: String) -> (any WorkerConnection)? {
        guard let l = entries[name]?.link, !l.isClosed else { return nil }
        return l
    }

    /// A status report arrived at `time`, by the master's clock (the report's own time is the worker's).
    func statusReported(_ name: String, _ status: WorkerStatus, at time: Date) {
        entries[name]?.status = status
        entries[name]?.history.record(load1: status.load1, cpuPressure: status.cpuPressure, at: time)
        publish(.workerStatus(worker: name, status))
    }

    // MARK: builds

    /// Takes a build slot on the worker (the distributor decided it).
    func reserve(_ name: String, build: Int64) {
        entries[name]?.running.insert(build)
    }

    /// Frees a build slot; a stopping or removed worker that became idle is disconnected.
    /// `wake` is false when a distributor pass gives back a slot it reserved in the same
    /// breath (a start gate said not now): waking would make the pass spin.
    func release(_ name: String, build: Int64, wake shouldWake: Bool = true) {
        guard var entry = entries[name] else { return }
        entry.running.remove(build)
        entry.drainTold.remove(build)
        entries[name] = entry
        if entry.running.isEmpty, entry.isStopping || entry.isRemoved, let link = entry.link {
            link.shutdown(graceful: true)
        }
        if shouldWake { wake("build finished on \(name)") }
    }

    // MARK: pause, stop, kill

    func setPaused(_ name: String, paused: Bool, reason: String?) async -> Bool {
        guard var entry = entries[name] else { return false }
        entry.isPaused = paused
        entry.pauseReason = paused ? reason : nil
        entries[name] = entry
        try? await store.setWorkerState(record(for: entry))
        logger.info(paused ? "worker paused" : "worker unpaused", metadata: ["worker": "\(name)", "reason": "\(reason ?? "")"])
        // Pausing starts nothing, but pending requests must say so now, not at the next event.
        wake(paused ? "worker \(name) paused" : "worker \(name) unpaused")
        return true
    }

    /// Sets (or, with nil, lifts) a drain. The distributor enforces its deadline
    /// (``DrainDeadline``); setting one wakes it so waiting requests say so at once.
    func setDrain(_ name: String, _ drain: WorkerDrain?) -> Bool {
        guard var entry = entries[name], !entry.isRemoved else { return false }
        entry.drain = drain
        entry.drainTold = []
        entries[name] = entry
        if let drain {
            logger.info("worker draining", metadata: ["worker": "\(name)", "by": "\(drain.requestedBy)",
                                                      "deadline": "\(drain.deadline.map { "\($0)" } ?? "none")"])
        } else {
            logger.info("worker drain lifted", metadata: ["worker": "\(name)"])
        }
        wake(drain == nil ? "worker \(name) undrained" : "worker \(name) draining")
        return true
    }

    /// The drain ended this request's build; it is not asked again.
    func drainTold(_ name: String, request: Int64) {
        entries[name]?.drainTold.insert(request)
    }

    /// Graceful stop: no new builds, then the worker is told to shut down once idle.
    /// False for an unknown worker, and for one that is not connected (there is nothing
    /// to stop; saying "done" misled users).
    func stop(_ name: String) -> Bool {
        guard var entry = entries[name], let link = entry.link, !link.isClosed else { return false }
        entry.isStopping = true
        entries[name] = entry
        if entry.running.isEmpty { entry.link?.shutdown(graceful: true) }
        wake("worker \(name) stopping")
        return true
    }

    /// Kill: the worker disconnects now and its running builds end as RETRY.
    ///
    /// The link is closed on this side at once rather than waiting for the worker to hang
    /// up: its running steps fail as "worker lost" (RETRY) even if the worker still manages
    /// to report them CANCELLED while it kills them.
    func kill(_ name: String) -> Bool {
        guard let entry = entries[name] else { return false }
        if let link = entry.link {
            link.shutdown(graceful: false)
            link.close()
        }
        wake("worker \(name) killed")
        return true
    }

    // MARK: reconfig

    func apply(specs: [WorkerSpec]) {
        let names = Set(specs.map(\.name))
        for spec in specs {
            if var e = entries[spec.name] {
                e.spec = spec
                e.isRemoved = false
                entries[spec.name] = e
            } else {
                entries[spec.name] = Entry(spec: spec)
            }
        }
        for (name, var e) in entries where !names.contains(name) {
            e.isRemoved = true
            // Its page is gone; a removed name keeps no day of buckets.
            e.history = LoadHistory()
            entries[name] = e
            if e.running.isEmpty { e.link?.shutdown(graceful: true) }
        }
        wake("workers reconfigured")
    }

    // MARK: views

    /// Every configured worker's state, by name unless `ordered` is false (the distributor
    /// looks workers up by name and need not pay for the sort on every pass).
    func states(ordered: Bool = true) -> [WorkerState] {
        let states = entries.values.filter { !$0.isRemoved }.map { e in
            WorkerState(name: e.spec.name, isConnected: e.link.map { !$0.isClosed } ?? false,
                        isPaused: e.isPaused, pauseReason: e.pauseReason, isStopping: e.isStopping,
                        runningBuilds: e.running.count, maxBuilds: e.spec.maxBuilds, info: e.link?.info ?? e.lastInfo,
                        status: e.status, lastConnected: e.lastConnected, drain: e.drain,
                        runningRequests: Array(e.running), drainTold: e.drainTold)
        }
        return ordered ? states.sorted { $0.name < $1.name } : states
    }

    /// Whether `name` is a configured worker (connected or not).
    func isConfigured(_ name: String) -> Bool {
        entries[name].map { !$0.isRemoved } ?? false
    }

    /// The worker's load over the day before `now`; nil for a worker not configured.
    func loadHistory(_ name: String, before now: Date) -> [LoadHistory.Bucket]? {
        guard let entry = entries[name], !entry.isRemoved else { return nil }
        return entry.history.buckets(before: now)
    }

    func snapshots() -> [WorkerSnapshot] {
        entries.values.filter { !$0.isRemoved }.map(snapshot).sorted { $0.name < $1.name }
    }

    private func snapshot(_ e: Entry) -> WorkerSnapshot {
        WorkerSnapshot(name: e.spec.name, isConnected: e.link.map { !$0.isClosed } ?? false,
                       info: e.link?.info ?? e.lastInfo, runningBuilds: e.running.count,
                       maxBuilds: e.spec.maxBuilds, isPaused: e.isPaused)
    }

    private func record(for e: Entry) -> WorkerStateRecord {
        WorkerStateRecord(name: e.spec.name, isPaused: e.isPaused, pauseReason: e.pauseReason,
                          lastConnected: e.lastConnected, info: e.lastInfo)
    }
}

/// A worker's state as the distributor and the API read it.
struct WorkerState: Sendable {
    var name: String
    var isConnected: Bool
    var isPaused: Bool
    var pauseReason: String?
    var isStopping: Bool
    var runningBuilds: Int
    var maxBuilds: Int
    var info: WorkerInfo?
    var status: WorkerStatus?
    var lastConnected: Date?
    var drain: WorkerDrain?
    /// The requests whose builds run (or are starting) on it.
    var runningRequests: [Int64] = []
    var drainTold: Set<Int64> = []
}
