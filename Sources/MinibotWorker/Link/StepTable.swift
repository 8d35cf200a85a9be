import MinibotProtocol

/// The steps running on one link, by (build, step): where an `interrupt` finds its step
/// and where a graceful shutdown waits for the last one to end.
actor StepTable {
    struct Key: Hashable, Sendable {
        var buildID: Int64
        var step: Int
    }

    private var controls: [Key: StepControl] = [:]
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    var isEmpty: Bool { controls.isEmpty }

    /// Registers a step; false when the same step already runs (a duplicate `startStep`).
    func insert(_ key: Key, _ control: StepControl) -> Bool {
        guard controls[key] == nil else { return false }
        controls[key] = control
        return true
    }

    func remove(_ key: Key) {
        controls[key] = nil
        if controls.isEmpty {
            let waiters = idleWaiters
            idleWaiters.removeAll()
            for waiter in waiters { waiter.resume() }
        }
    }

    func control(for key: Key) -> StepControl? { controls[key] }

    /// Returns once no step runs. Steps always end (a cancelled link kills them), so a
    /// waiter is always resumed.
    func waitUntilIdle() async {
        guard !controls.isEmpty else { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }
}
