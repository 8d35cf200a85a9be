/// Runs async critical sections one at a time (e.g. two reconfigs never interleave).
actor AsyncMutex {
    private var isLocked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func withLock<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        while isLocked {
            await withCheckedContinuation { waiters.append($0) }
        }
        isLocked = true
        defer {
            isLocked = false
            if !waiters.isEmpty { waiters.removeFirst().resume() }
        }
        return await body()
    }
}
