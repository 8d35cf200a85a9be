/// The runtime state of every lock: who holds it and who waits for it, in order.
///
/// A pure value owned by the master's distributor actor; it never waits or wakes anyone
/// itself. The rules are Buildbot's:
/// - counting accesses share a lock up to its capacity (``LockSpec/capacity(on:)``);
///   an exclusive access needs the lock to have no holder at all;
/// - waiters queue FIFO per lock, and an owner may take a lock only if no earlier waiter
///   would be blocked by it: a counting access counts the waiters ahead of it against the
///   capacity and never passes an exclusive waiter, an exclusive access needs an empty queue
///   ahead. So an exclusive waiter is not starved by a stream of later counting ones;
/// - several locks are taken all-or-nothing.
///
/// A lock named by a builder or step but missing from the configuration (the config check
/// rejects that) is treated as a master lock with `max_count: 1` rather than never granted.
public struct LockBook: Sendable, Equatable {
    private struct Waiter: Sendable, Hashable {
        var owner: LockOwner
        var mode: LockAccess.Mode
    }

    public private(set) var specs: [String: LockSpec]
    private var holdersByKey: [LockKey: [LockHolder]] = [:]
    private var waitersByKey: [LockKey: [Waiter]] = [:]

    public init(specs: [LockSpec] = []) {
        self.specs = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Adopts a reloaded `locks:` section. Holds and queues stay: running builds keep their
    /// locks; the new capacities apply to the next acquisitions.
    public mutating func reconfigure(specs: [LockSpec]) {
        self.specs = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The runtime lock an access refers to when the build runs on `worker`.
    public func key(for name: String, worker: String?) -> LockKey {
        specs[name]?.kind == .worker ? LockKey(name: name, worker: worker) : LockKey(name: name)
    }

    /// How many counting holders the lock admits.
    public func capacity(of key: LockKey) -> Int {
        specs[key.name]?.capacity(on: key.worker) ?? 1
    }

    // MARK: queries

    public func holders(of key: LockKey) -> [LockHolder] { holdersByKey[key] ?? [] }

    /// The queue of `key`, first waiter first.
    public func waiters(of key: LockKey) -> [LockOwner] { (waitersByKey[key] ?? []).map(\.owner) }

    /// Every lock `owner` holds.
    public func locks(heldBy owner: LockOwner) -> [LockKey] {
        holdersByKey.filter { $0.value.contains { $0.owner == owner } }.map(\.key).sorted(by: Self.order)
    }

    /// Whether `owner` waits in any queue.
    public func isWaiting(_ owner: LockOwner) -> Bool {
        waitersByKey.values.contains { $0.contains { $0.owner == owner } }
    }

    /// Every owner that waits in some queue.
    public var allWaiters: Set<LockOwner> {
        Set(waitersByKey.values.flatMap { $0.map(\.owner) })
    }

    // MARK: decisions

    /// Whether `owner` may take all of `accesses` now on `worker` (nil: no worker, so
    /// worker locks resolve master-wide — only for checks made before a worker is known).
    /// Locks `owner` already holds count as granted.
    public func canAcquire(_ accesses: [LockAccess], worker: String?, owner: LockOwner) -> LockCheck {
        for (key, mode) in normalized(accesses, worker: worker) {
            if let reason = blockReason(key: key, mode: mode, owner: owner) {
                return .blocked(lock: key, reason: reason)
            }
        }
        return .granted
    }

    /// Takes all of `accesses` if ``canAcquire(_:worker:owner:)`` grants them (otherwise
    /// changes nothing) and leaves every queue `owner` waited in. Returns the check.
    @discardableResult
    public mutating func acquire(_ accesses: [LockAccess], worker: String?, owner: LockOwner,
                                 label: String? = nil) -> LockCheck {
        let check = canAcquire(accesses, worker: worker, owner: owner)
        guard check.isGranted else { return check }
        for (key, mode) in normalized(accesses, worker: worker)
        where !(holdersByKey[key] ?? []).contains(where: { $0.owner == owner }) {
            holdersByKey[key, default: []].append(LockHolder(owner: owner, mode: mode, label: label))
        }
        dequeue(owner)
        return check
    }

    /// Gives up every lock `owner` holds. Returns the locks it held (sorted), so the caller
    /// knows which waiters may now proceed.
    @discardableResult
    public mutating func release(owner: LockOwner) -> [LockKey] {
        var freed: [LockKey] = []
        for (key, holders) in holdersByKey where holders.contains(where: { $0.owner == owner }) {
            let rest = holders.filter { $0.owner != owner }
            holdersByKey[key] = rest.isEmpty ? nil : rest
            freed.append(key)
        }
        return freed.sorted(by: Self.order)
    }

    /// Moves `from`'s holds to `to` (a request's reservation becomes its build's hold).
    public mutating func reassign(from: LockOwner, to: LockOwner, label: String? = nil) {
        for (key, holders) in holdersByKey where holders.contains(where: { $0.owner == from }) {
            holdersByKey[key] = holders.map { h in
                h.owner == from ? LockHolder(owner: to, mode: h.mode, label: label ?? h.label) : h
            }
        }
    }

    /// Queues `owner` on each lock of `accesses` it cannot take now, behind the waiters
    /// already there; a lock it already waits for keeps its place.
    public mutating func enqueue(_ accesses: [LockAccess], worker: String?, owner: LockOwner) {
        for (key, mode) in normalized(accesses, worker: worker)
        where blockReason(key: key, mode: mode, owner: owner) != nil {
            if let i = waitersByKey[key]?.firstIndex(where: { $0.owner == owner }) {
                waitersByKey[key]?[i].mode = mode
            } else {
                waitersByKey[key, default: []].append(Waiter(owner: owner, mode: mode))
            }
        }
    }

    /// Removes `owner` from every queue (it started elsewhere, was cancelled, or no longer
    /// waits for a lock).
    public mutating func dequeue(_ owner: LockOwner) {
        for (key, waiters) in waitersByKey where waiters.contains(where: { $0.owner == owner }) {
            let rest = waiters.filter { $0.owner != owner }
            waitersByKey[key] = rest.isEmpty ? nil : rest
        }
    }

    // MARK: rules

    /// The accesses as runtime locks, one per lock: a lock named twice counts once, with the
    /// stricter mode. Sorted, so checks and reasons are deterministic.
    private func normalized(_ accesses: [LockAccess], worker: String?) -> [(LockKey, LockAccess.Mode)] {
        var modes: [LockKey: LockAccess.Mode] = [:]
        for a in accesses {
            let key = key(for: a.name, worker: worker)
            if modes[key] != .exclusive { modes[key] = a.access }
        }
        return modes.sorted { Self.order($0.key, $1.key) }.map { ($0.key, $0.value) }
    }

    /// Why `owner` cannot take `key` in `mode` now, or nil when it can.
    private func blockReason(key: LockKey, mode: LockAccess.Mode, owner: LockOwner) -> String? {
        let holders = holdersByKey[key] ?? []
        if holders.contains(where: { $0.owner == owner }) { return nil }
        let queue = waitersByKey[key] ?? []
        let ahead = queue.prefix { $0.owner != owner }
        let capacity = capacity(of: key)

        if capacity < 1 {
            return "waiting for lock \(key) (max_count is 0\(key.worker.map { " on \($0)" } ?? ""))"
        }
        let heldOut: Bool
        switch mode {
        case .exclusive: heldOut = !holders.isEmpty
        case .counting: heldOut = holders.contains { $0.mode == .exclusive } || holders.count >= capacity
        }
        if heldOut {
            return "waiting for lock \(key) (held by \(Self.list(holders.map(\.displayName))))"
        }
        let queuedOut: Bool
        switch mode {
        case .exclusive: queuedOut = !ahead.isEmpty
        case .counting:
            queuedOut = ahead.contains { $0.mode == .exclusive } || holders.count + ahead.count + 1 > capacity
        }
        if queuedOut {
            return "waiting for lock \(key) (queued behind \(Self.list(ahead.map(\.owner.description))))"
        }
        return nil
    }

    private static func list(_ names: [String]) -> String {
        names.count <= 3 ? names.joined(separator: ", ")
            : names.prefix(3).joined(separator: ", ") + " and \(names.count - 3) more"
    }

    private static func order(_ a: LockKey, _ b: LockKey) -> Bool {
        (a.name, a.worker ?? "") < (b.name, b.worker ?? "")
    }
}
