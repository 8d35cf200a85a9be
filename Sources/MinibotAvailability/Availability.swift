import Foundation
import MinibotCore

/// A worker's availability at one instant, with every cause and the explanation shown in
/// the API, the CLI and pending requests' waiting reasons.
public struct Availability: Sendable, Equatable {
    /// One thing that makes the worker less than available.
    public struct Cause: Sendable, Equatable {
        public enum Source: String, Sendable, Equatable {
            case flag, window, load, cpuPressure = "cpu_pressure", unknownLoad = "unknown_load", restoring
        }

        public var source: Source
        public var state: AvailabilityState
        /// E.g. `outside hours (Mon-Fri 09:00-17:00 Europe/Paris)`, `load 4.2 > 3.0`.
        public var reason: String
        /// Who set it: the flag's author, `master.cfg`, `window`, `load`.
        public var setBy: String
        /// When it ends by itself, if known (window end, flag expiry).
        public var until: Date?
        /// `until 17:00`, `until load < 2.4`; nil when open-ended.
        public var untilText: String?

        public init(source: Source, state: AvailabilityState, reason: String, setBy: String, until: Date? = nil, untilText: String? = nil) {
            self.source = source
            self.state = state
            self.reason = reason
            self.setBy = setBy
            self.until = until
            self.untilText = untilText
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

    /// `unavailable: outside hours (Mon-Fri 09:00-17:00 Europe/Paris) until 17:00`,
    /// `advisory: ranked last: load 4.2 > 3.0 until load < 2.4`; nil when available.
    public var explanation: String? {
        let parts = decisive.map { cause in
            cause.untilText.map { "\(cause.reason) \($0)" } ?? cause.reason
        }.joined(separator: "; ")
        switch state {
        case .available: return nil
        case .advisory: return "advisory: ranked last: \(parts)"
        case .unavailable: return "unavailable: \(parts)"
        }
    }

    /// The verdict for the distributor; `until` is when to re-check even without a wake.
    public func verdict(for worker: String) -> WorkerVerdict {
        switch state {
        case .available:
            return .eligible(worker)
        case .advisory:
            return .advisory(worker, reason: explanation ?? "advisory", rank: 1, until: nextChange)
        case .unavailable:
            return .unavailable(worker, reason: explanation ?? "unavailable", until: nextChange)
        }
    }
}
