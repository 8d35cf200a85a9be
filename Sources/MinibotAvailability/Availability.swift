import Foundation
import MinibotCore

/// A worker's availability at one instant, with every cause and the explanation shown in
/// the API, the CLI and pending requests' waiting reasons.
public struct Availability: Sendable, Equatable {
    /// One thing that makes the worker less than available.
    public struct Cause: Sendable, Equatable {
        public enum Source: String, Sendable, Equatable {
            case flag, window, load, cpuPressure = "cpu_pressure", unknownLoad = "unknown_load", restoring
            /// The owner at the keyboard (``OwnerIdleSettings``).
            case owner
            /// Thresholds on the other signals a worker reports (``LoadSignal``).
            case memoryPressure = "memory_pressure", ioPressure = "io_pressure", freeMemory = "free_memory"
        }

        public var source: Source
        public var state: AvailabilityState
        /// E.g. `restricted hours Mon-Fri 09:00-17:00 Europe/Paris`, `load 4.2 > 3.0`.
        public var reason: String
        /// Who set it: the flag's author, `master.cfg`, `window`, `load`.
        public var setBy: String
        /// When it ends by itself, if known (window end, flag expiry).
        public var until: Date?
        /// `until 17:00 CET`, `when load < 2.4`; nil when open-ended.
        public var untilText: String?
        /// The window's zone, for a window's cause.
        public var zone: TimeZone?
        /// When a measurement decides the end: what it waits for (`when load < 2.4`).
        public var condition: String?

        /// A measurement's cause passes `condition`, which is also its ``untilText``.
        public init(source: Source, state: AvailabilityState, reason: String, setBy: String, until: Date? = nil,
                    untilText: String? = nil, zone: TimeZone? = nil, condition: String? = nil) {
            self.source = source
            self.state = state
            self.reason = reason
            self.setBy = setBy
            self.until = until
            self.untilText = untilText ?? condition
            self.zone = zone
            self.condition = condition
        }
    }

    public var state: AvailabilityState
    /// Every cause found, the decisive (most severe) first.
    public var causes: [Cause]
    /// The next instant at which the verdict may change by itself (a window boundary,
    /// lead time, flag expiry, the load becoming unknown); nil when only an event can change it.
    public var nextChange: Date?
    public var isConnected: Bool
    /// The flag in force (from the API, the worker or `master.cfg`), if any.
    public var flag: AvailabilityFlag?
    public var load1: Double?
    public var cpuPressure: Double?
    /// The last report's memory and IO pressure (percent) and free memory (bytes), where sent.
    public var memoryPressure: Double?
    public var ioPressure: Double?
    public var freeMemory: Double?
    /// When an unavailable worker predictably becomes usable by itself (see
    /// ``AvailabilityPolicy``); nil when available, unknown or measurement-dependent.
    public var endsAt: Date?
    /// The zone of the window whose end ``endsAt`` is, if it is one.
    public var endsAtZone: TimeZone?
    /// What the end waits for in words, when a measurement decides it (`when load < 2.4`).
    public var endCondition: String?

    public init(state: AvailabilityState, causes: [Cause], nextChange: Date?, isConnected: Bool,
                flag: AvailabilityFlag? = nil, load1: Double? = nil, cpuPressure: Double? = nil) {
        self.state = state
        self.causes = causes
        self.nextChange = nextChange
        self.isConnected = isConnected
        self.flag = flag
        self.load1 = load1
        self.cpuPressure = cpuPressure
    }

    /// The causes that decide the state.
    public var decisive: [Cause] { causes.filter { $0.state == state } }

    /// The decisive causes' reasons; nil when available.
    public var reason: String? {
        state == .available ? nil : decisive.map(\.reason).joined(separator: "; ")
    }

    public var setBy: String? { state == .available ? nil : decisive.first?.setBy }

    /// When the state ends by itself: the latest end of the decisive causes when all of
    /// them have one; nil otherwise.
    public var until: Date? {
        let ends = decisive.map(\.until)
        guard state != .available, !ends.isEmpty, ends.allSatisfy({ $0 != nil }) else { return nil }
        return ends.compactMap { $0 }.max()
    }

    /// `until 17:00`, `until load < 2.4` (joined when several causes decide).
    public var untilText: String? {
        var texts: [String] = []
        for text in decisive.compactMap(\.untilText) where !texts.contains(text) { texts.append(text) }
        return texts.isEmpty ? nil : texts.joined(separator: ", ")
    }

    /// `unavailable: restricted hours Mon-Fri 09:00-17:00 Europe/Paris, until 17:00 CET`,
    /// `advisory: ranked last: load 4.2 > 3.0, when load < 2.4`; nil when available.
    public var explanation: String? {
        explained(decisive.map { cause in cause.untilText.map { "\(cause.reason), \($0)" } ?? cause.reason })
    }

    /// ``explanation`` without the times: what a waiting request shows, beside its own
    /// structured `until` (so the time is never printed twice, nor a re-check time as one).
    public var summary: String? {
        explained(decisive.map(\.reason))
    }

    private func explained(_ parts: [String]) -> String? {
        let text = parts.joined(separator: "; ")
        switch state {
        case .available: return nil
        case .advisory: return "advisory: ranked last: \(text)"
        case .unavailable: return "unavailable: \(text)"
        }
    }

    /// The verdict for the distributor: `until` is when to re-check even without a wake;
    /// `endsAt` or `endCondition` is what users see.
    public func verdict(for worker: String) -> WorkerVerdict {
        switch state {
        case .available:
            return .eligible(worker)
        case .advisory:
            return .advisory(worker, reason: summary ?? "advisory", rank: 1, until: nextChange)
        case .unavailable:
            return .unavailable(worker, reason: summary ?? "unavailable", until: nextChange, endsAt: endsAt,
                                endsAtZone: endsAtZone?.identifier, endCondition: endCondition)
        }
    }
}
