/// How usable a worker is for new builds, from most to least.
public enum AvailabilityState: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Takes builds normally.
    case available
    /// Ranked last: takes a build only when no other usable worker can.
    case advisory
    /// Takes no new builds; running builds finish; the worker stays connected.
    case unavailable

    var severity: Int {
        switch self {
        case .available: 0
        case .advisory: 1
        case .unavailable: 2
        }
    }

    /// Ordered by severity: `available < advisory < unavailable`.
    public static func < (a: AvailabilityState, b: AvailabilityState) -> Bool { a.severity < b.severity }

    /// The names accepted in `master.cfg`, the API and the CLI.
    static let names = allCases.map(\.rawValue).joined(separator: ", ")
}
