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
    /// Renews the lease for `lease` seconds from the database's now, and records `configHash`
    /// (nil: keeps the recorded one). False, changing nothing, when this generation is no
    /// longer the active one: the master was declared dead, its claims were released, and it
    /// must register again before it claims anything.
    func heartbeat(_ registration: MasterLease, lease: Double, configHash: String?) async throws -> Bool
    /// Declares dead every master whose lease passed, ends their running builds RETRY and makes
    /// their requests pending again, by the dead masters' names. Returns those names.
    func reapExpiredMasters(reason: String) async throws -> [String]
    /// Every master that ever registered, by name, with its state on the database's clock.
    func masters() async throws -> [MasterRecord]
    /// Runs until the task is cancelled: tells `wake` of what any master committed that
    /// others may have to act on (``StoreWakeUp``: requests recorded or pending again,
    /// changes, polls asked for), so a master builds another's requests at once. The hints
    /// may be lost while the listener is not connected: after every (re)connect it sends
    /// ``StoreWakeUp/rescan`` first, and the master keeps a slow backstop rescan of its own.
    /// Never throws; a lost connection is retried with a delay.
    func listenForWakeUps(_ wake: @escaping @Sendable (StoreWakeUp) async -> Void) async
    /// Sends `wakeUp` to every listening master (this one included).
    func notify(_ wakeUp: StoreWakeUp) async throws
    /// Takes or renews, for `lease` seconds on the database's clock, the named jobs that must
    /// run on one master only (a scheduler, a poller): each name free, expired or already
    /// `master`'s becomes `master`'s; names `master` held and no longer asks for are given
    /// up. Returns the names `master` holds now.
    func holdJobs(_ names: [String], master: String, lease: Double) async throws -> Set<String>

    /// Appends `events` (their `time`, `type` and `fields`) to the stream of master `master`,
    /// numbered after its last one, and wakes the listening masters (``StoreWakeUp/events(_:)``),
    /// all in one statement. False, writing nothing, when that master is not active (it was
    /// declared dead, or never registered).
    func appendEvents(_ events: [SharedEvent], master: String) async throws -> Bool
    /// The last `seq` of every master's stream: where a reader that starts now begins.
    func eventPositions() async throws -> SharedEventPositions
    /// Events after `positions`, of every master but `excluding`, at most `limit` of each
    /// master's, in order (a reader asks again while it gets `limit` or more). An event whose
    /// fields cannot be read comes back with an empty `type`, to be skipped.
    func events(after positions: SharedEventPositions, excluding master: String, limit: Int) async throws -> [SharedEvent]
    /// Deletes every master's events but its newest `keeping`; returns how many went.
    func pruneEvents(keeping: Int) async throws -> Int
}

extension SharedStore {
    /// Renews the lease, keeping the recorded configuration hash.
    public func heartbeat(_ registration: MasterLease, lease: Double) async throws -> Bool {
        try await heartbeat(registration, lease: lease, configHash: nil)
    }
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
