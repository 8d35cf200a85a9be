import Dispatch

/// Runs blocking libgit2 work on a thread of its own rather than on Swift's cooperative pool.
enum BlockingWork {
    /// Runs `body` on a new serial dispatch queue and returns its result.
    ///
    /// `body` runs start to finish on one thread, which libgit2's thread-local error state
    /// needs. It is not cancelled with the calling task: a clone or fetch runs to its end.
    static func run<Result: Sendable>(
        label: String,
        _ body: @escaping @Sendable () throws -> Result
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue(label: label).async {
                continuation.resume(with: Swift.Result { try body() })
            }
        }
    }
}
