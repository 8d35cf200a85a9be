import Foundation
import MinibotCore

extension AvailabilityPlugin {
    /// One worker as the plugin tracks it.
    struct WorkerRecord: Sendable {
        var flag: AvailabilityFlag?
        var load: LoadTracker
        /// The owner at the keyboard, from the same reports (`owner_idle`).
        var owner = OwnerPresence()
        var isConnected = false
        /// The state last computed by ``State/refresh(_:now:)``, to detect improvements.
        var published: AvailabilityState?
        /// The decisive causes last published (their sources), so that a new kind of reason
        /// (load unknown → load too high) reaches waiting requests; a new load figure within
        /// the same cause does not wake anyone.
        var publishedCauses: [Availability.Cause.Source]?
        /// The builds running on the worker, by request id (`while_unavailable`).
        var builds: [Int64: TrackedBuild] = [:]
    }

    /// Everything the plugin knows, guarded by the plugin's `Mutex`.
    struct State: Sendable {
        var configuration: AvailabilityConfiguration
        /// Configured workers, in configuration order.
        var order: [String]
        var workers: [String: WorkerRecord]
        /// False until `run()` has reloaded persisted flags: until then every worker is
        /// unavailable, so that a flag set before a restart is never ignored.
        var isRestored = false
        var displayZone: TimeZone
        /// Workers already said (once, in the log) to be unable to hold their builds.
        var cannotHoldWarned: Set<String> = []

        init(configuration: AvailabilityConfiguration, workers: [String], displayZone: TimeZone) {
            self.configuration = configuration
            self.order = workers
            self.workers = [:]
            self.displayZone = displayZone
            for name in workers {
                self.workers[name] = WorkerRecord(load: LoadTracker(settings: configuration.settings(for: name)))
            }
        }

        func policy(for worker: String) -> AvailabilityPolicy {
            AvailabilityPolicy(settings: configuration.settings(for: worker), displayTimeZone: displayZone)
        }

        /// The worker's availability at `now`. `assumeConnected` is set by the selection
        /// hook: a candidate is connected even if its attach event is still in flight.
        mutating func availability(of worker: String, now: Date, assumeConnected: Bool = false) -> Availability? {
            guard var record = workers[worker] else { return nil }
            guard isRestored else {
                return Availability(
                    state: .unavailable,
                    causes: [.init(source: .restoring, state: .unavailable, reason: "restoring saved availability flags",
                                   setBy: "availability", condition: "when the master has read them")],
                    nextChange: nil, isConnected: record.isConnected || assumeConnected)
            }
            record.load.clampReportTime(to: now)
            workers[worker] = record
            return policy(for: worker).evaluate(flag: record.flag, load: record.load, owner: record.owner,
                                                isConnected: record.isConnected || assumeConnected, now: now)
        }

        /// Recomputes workers (nil: all), forgets expired run-time flags, and returns the
        /// workers whose state improved since the last refresh, and those whose flag expired.
        mutating func refresh(_ names: [String]?, now: Date)
            -> (improved: [(worker: String, state: AvailabilityState)], reworded: [String], expired: [String]) {
            var improved: [(String, AvailabilityState)] = []
            var reworded: [String] = []
            var expired: [String] = []
            for name in names ?? order {
                if let flag = workers[name]?.flag, !flag.isActive(at: now) {
                    workers[name]?.flag = nil
                    expired.append(name)
                }
                guard let availability = availability(of: name, now: now) else { continue }
                let before = workers[name]?.published
                let beforeCauses = workers[name]?.publishedCauses
                let causes = availability.decisive.map(\.source)
                workers[name]?.published = availability.state
                workers[name]?.publishedCauses = causes
                if let before, availability.state < before {
                    improved.append((name, availability.state))
                } else if before != nil, beforeCauses != causes {
                    reworded.append(name)
                }
            }
            return (improved, reworded, expired)
        }

        /// The earliest instant at which some worker's verdict may change by itself.
        mutating func nextChange(now: Date) -> Date? {
            let verdicts = order.compactMap { availability(of: $0, now: now)?.nextChange }.min()
            return [verdicts, nextHoldRecheck(now: now)].compactMap { $0 }.min()
        }

        /// Installs a new configuration: new workers get records, removed ones lose them,
        /// load thresholds are updated keeping their blocked state. Returns the added
        /// workers, and those whose `master.cfg` flag changed (their run-time flag is
        /// dropped: the operator's edit applies).
        mutating func apply(_ new: AvailabilityConfiguration, workers names: [String]) -> (added: [String], clearedFlags: [String]) {
            var added: [String] = []
            var cleared: [String] = []
            var records: [String: WorkerRecord] = [:]
            for name in names {
                let settings = new.settings(for: name)
                if var record = workers[name] {
                    record.load.reconfigure(settings)
                    if configuration.settings(for: name).flag != settings.flag, record.flag != nil {
                        record.flag = nil
                        cleared.append(name)
                    }
                    records[name] = record
                } else {
                    records[name] = WorkerRecord(load: LoadTracker(settings: settings))
                    added.append(name)
                }
            }
            configuration = new
            order = names
            workers = records
            return (added, cleared)
        }
    }
}
