/// A store that several masters share, which also keeps their liveness: leases on the
/// database's clock, renewed by heartbeats, and a reaper that releases the claims of masters
/// whose lease passed.
///
/// The master runs its liveness service when the store it was given conforms (the embedded
/// SQLite store does not: one file, one master). Called from that one service's task: register
/// once at start, then heartbeat and reap every few seconds; any master may reap at once.
public protocol SharedStore: Store {
    /// Registers master `name` (again: after a restart, or after it was declared dead) as a
    /// new generation, with a lease of `lease` seconds from the database's now.
    func registerMaster(name: String, configHash: String?, lease: Double) async throws -> MasterLease
    /// Renews the lease for `lease` seconds from the database's now. False, changing nothing,
    /// when this generation is no longer the active one: the master was declared dead, its
    /// claims were released, and it must register again before it claims anything.
    func heartbeat(_ registration: MasterLease, lease: Double) async throws -> Bool
    /// Declares dead every master whose lease passed, ends their running builds RETRY and makes
    /// their requests pending again, by the dead masters' names. Returns those names.
    func reapExpiredMasters(reason: String) async throws -> [String]
}

/// A master's registration in a ``SharedStore``: the row and the generation this run holds.
public struct MasterLease: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var generation: Int64

    public init(id: Int64, name: String, generation: Int64) {
        self.id = id
        self.name = name
        self.generation = generation
    }
}
