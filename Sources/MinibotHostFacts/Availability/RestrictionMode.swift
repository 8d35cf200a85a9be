/// What a restriction (a time window, a load threshold) does to a worker or a host while it
/// holds: `unavailable` takes no new build, `advisory` is ranked after every other candidate.
public enum RestrictionMode: String, Sendable, Equatable, CaseIterable {
    case unavailable, advisory
}
