import MinibotProtocol

/// The steps running on one link, by (build, step): where an `interrupt` or a `hold` finds
/// its step and where a graceful shutdown waits for the last one to end. A build's hold is
/// kept for its later steps: they start suspended (waiting) or reniced.
actor StepTable {
    struct Key: Hashable, Sendable {
        var buildID: Int64
        var step: Int
    }

    private var controls: [Key: StepControl] = [:]
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    /// The hold of each build held now (`suspend` or `renice`); a `resume` removes it.
    private var holds: [Int64: StepHold] = [:]
    /// At most this many builds' holds are kept: the master sends `resume` only to builds
    /// still running, so the holds of builds that ended held are dropped oldest first.
    static let maxHolds = 64

    var isEmpty: Bool { controls.isEmpty }

    /// Registers a step; false when the same step already runs (a duplicate `startStep`).
    func insert(_ key: Key, _ control: StepControl) -> Bool {
        guard controls[key] == nil else { return false }
        controls[key] = control
        if let hold = holds[key.buildID] { control.hold(hold) }
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

    /// Resumes every held build: a graceful shutdown waits for the running steps to end,
    /// which a suspended one never would.
    func resumeAll() {
        let held = Array(holds.keys)
        for buildID in held { hold(buildID: buildID, .resume) }
    }

    /// Holds (or resumes) every running step of a build, and its later steps.
    func hold(buildID: Int64, _ mode: StepHold) {
        switch mode {
        case .resume:
            holds[buildID] = nil
        case .suspend, .renice:
            // Reniced and then suspended: the renice stays with the running step anyway.
            holds[buildID] = mode
            if holds.count > Self.maxHolds, let oldest = holds.keys.min() { holds[oldest] = nil }
        }
        for (key, control) in controls where key.buildID == buildID { control.hold(mode) }
    }

    /// Returns once no step runs. Steps always end (a cancelled link kills them), so a
    /// waiter is always resumed.
    func waitUntilIdle() async {
        guard !controls.isEmpty else { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }
}
