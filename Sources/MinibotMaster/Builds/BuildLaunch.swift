import MinibotCore

/// Everything the distributor reserved for one build before handing it to the runner.
struct BuildLaunch: Sendable {
    var request: BuildRequest
    var worker: String
    /// The worker-slot reservation id (negative: not yet a build id).
    var reservation: Int64
    var permits: [(any BuildStartGate, Permit)]

    /// Gives back what was reserved for a launch that never became a build: the gates'
    /// permits, the request's locks and the worker slot. The one way to undo a launch, for
    /// the distributor (a start gate said not now) and the runner (the claim was lost).
    ///
    /// - Parameter wake: false inside a distributor pass, which would otherwise wake itself
    ///   and spin; true when the slot frees later and others may now start.
    func undo(locks: LockManager, registry: WorkerRegistry, wake: Bool) async {
        for (gate, permit) in permits { await gate.released(permit, result: nil) }
        await locks.release(.request(request.id), wake: wake)
        await registry.release(worker, build: reservation, wake: wake)
    }
}
