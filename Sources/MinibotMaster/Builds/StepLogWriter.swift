import Foundation
import Logging
import MinibotCore
import MinibotStore

/// Collects a running step's output into chunks of up to ``flushBytes`` before writing
/// them to the store, so a step that prints 50 MB costs a few hundred inserts, not
/// thousands; a quiet step's output still reaches the store (and the API) within
/// ``flushDelay``.
actor StepLogWriter {
    static let flushBytes = 64 * 1024
    static let flushDelay: Duration = .milliseconds(100)

    private let store: any Store
    private let buildID: Int64
    private let step: Int
    private let logger: Logger
    private var stream: LogStream?
    private var pending = ""
    private var pendingBytes = 0
    private var timer: Task<Void, Never>?
    /// The newest write in the chain.
    private var lastWrite: Task<Void, Never>?

    init(store: any Store, buildID: Int64, step: Int, logger: Logger) {
        self.store = store
        self.buildID = buildID
        self.step = step
        self.logger = logger
    }

    /// Adds output; writes when the chunk is full or the stream changes.
    ///
    /// Returns once the chunk *before* the one it queued has landed, not the one it queued:
    /// the next chunk arrives from the worker while this one is written, and at most two
    /// chunks wait for the store at any time (memory stays bounded, a slow store still
    /// slows the worker down).
    func append(_ stream: LogStream, _ text: String) async {
        if let current = self.stream, current != stream { await write(waitForAll: false) }
        self.stream = stream
        pending += text
        pendingBytes += text.utf8.count
        if pendingBytes >= Self.flushBytes {
            await write(waitForAll: false)
        } else if timer == nil {
            timer = Task { [weak self] in
                try? await Task.sleep(for: Self.flushDelay)
                guard !Task.isCancelled else { return }
                await self?.flush()
            }
        }
    }

    /// Writes whatever is buffered (at the step's end, before its result is recorded) and
    /// returns once every earlier write has landed too: writes form a chain, so chunks keep
    /// their order and a step's log is complete in the store before its result is.
    func flush() async {
        await write(waitForAll: true)
    }

    private func write(waitForAll: Bool) async {
        timer?.cancel()
        timer = nil
        let previous = lastWrite
        if let stream, !pending.isEmpty {
            let text = pending
            pending = ""
            pendingBytes = 0
            let (store, buildID, step, logger) = (self.store, self.buildID, self.step, self.logger)
            lastWrite = Task {
                await previous?.value
                do {
                    try await store.appendLog(buildID: buildID, step: step, stream: stream, text: text)
                } catch {
                    logger.error("could not store step output: \(error)")
                }
            }
        }
        await (waitForAll ? lastWrite : previous)?.value
    }
}
