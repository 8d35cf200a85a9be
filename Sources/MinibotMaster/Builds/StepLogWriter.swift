import Foundation
import Logging
import MinibotCore
import MinibotStore

/// Collects a running step's output into batches of up to ``flushBytes`` (as stored:
/// compressed chunks count their compressed size) before writing them to the store in one
/// transaction, so a step that prints 50 MB costs a few dozen commits, not thousands; a
/// quiet step's output still reaches the store (and the API) within ``flushDelay``. Text
/// and zstd chunks that arrive in pieces are joined into chunks of up to ``textChunkBytes``
/// of text (``joined(_:_:)``), so that a page of a log read back stays small whatever the batch. Stored
/// output is announced as a `step_log` event, so a client showing a running step's log
/// re-reads it when there is more, instead of polling; at most one per
/// ``announceInterval`` (every event wakes every follower of the event stream, and one per
/// batch cost a busy master a tenth of its CPU), and the last batch is always announced.
actor StepLogWriter {
    /// At most two batches wait for the store (see ``append(_:_:)``): this bounds the memory
    /// a fast step costs the master, and each commit carries this much.
    static let flushBytes = 1024 * 1024
    /// Also write once this many chunks wait (zstd makes a 64 KiB chunk of a repetitive log
    /// a few dozen bytes: they add up slowly).
    static let flushChunks = 256
    /// The largest chunk (in text bytes) made by joining pieces of text or zstd frames.
    static let textChunkBytes = 64 * 1024
    /// Seconds.
    static let flushDelay = 0.05
    /// Seconds: with ``flushDelay`` and the worker's own 50 ms, a line reaches an open page
    /// about 0.2 s after it was printed.
    static let announceInterval = 0.1

    private let store: any Store
    /// Bytes stored since the last `step_log` event.
    private var unannouncedBytes = 0
    private let buildID: Int64
    private let step: Int
    private let logger: Logger
    private let events: EventLog
    private var pending: [LogWrite] = []
    private var pendingBytes = 0
    private var timer: Task<Void, Never>?
    /// The newest write in the chain.
    private var lastWrite: Task<Void, Never>?
    private var lastAnnounced: Date?
    private var announcement: Task<Void, Never>?

    private let clock: any WallClock

    init(store: any Store, buildID: Int64, step: Int, events: EventLog, clock: any WallClock, logger: Logger) {
        self.store = store
        self.clock = clock
        self.buildID = buildID
        self.step = step
        self.events = events
        self.logger = logger
    }

    /// Adds output (text is joined to the text before it when the stream is the same);
    /// writes when the batch is full.
    ///
    /// Returns once the batch *before* the one it queued has landed, not the one it queued:
    /// the next output arrives from the worker while this batch is written, and at most two
    /// batches wait for the store at any time (memory stays bounded, a slow store still
    /// slows the worker down).
    func append(_ stream: LogStream, _ payload: LogPayload) async {
        if let last = pending.last, last.stream == stream, let joined = Self.joined(last.payload, payload) {
            pending[pending.count - 1].payload = joined
        } else {
            pending.append(LogWrite(stream: stream, payload: payload))
        }
        pendingBytes += payload.storedBytes
        if pendingBytes >= Self.flushBytes || pending.count >= Self.flushChunks {
            await write(waitForAll: false)
        } else if timer == nil {
            timer = Task { [weak self, clock] in
                try? await clock.sleep(seconds: Self.flushDelay)
                guard !Task.isCancelled else { return }
                await self?.flush()
            }
        }
    }

    /// One chunk holding `before` then `next`, while it stays within ``textChunkBytes`` of
    /// text: text is joined as text, and zstd frames back to back are one valid zstd chunk
    /// (a reader decompresses them in one call), so the worker's chunks (one per pipe read,
    /// often a few KiB) cost one row, not several, without inflating anything here.
    static func joined(_ before: LogPayload, _ next: LogPayload) -> LogPayload? {
        switch (before, next) {
        case (.text(let a), .text(let b)) where a.utf8.count + b.utf8.count <= textChunkBytes:
            return .text(a + b)
        case (.compressed(let a, let sizeA, .zstd), .compressed(let b, let sizeB, .zstd)) where sizeA + sizeB <= textChunkBytes:
            return .compressed(a + b, size: sizeA + sizeB, codec: .zstd)
        default:
            return nil
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
        if !pending.isEmpty {
            let batch = pending
            let batchBytes = pendingBytes
            pending = []
            pendingBytes = 0
            let (store, buildID, step, logger) = (self.store, self.buildID, self.step, self.logger)
            lastWrite = Task {
                await previous?.value
                do {
                    try await store.appendLog(buildID: buildID, step: step, batch)
                    self.landed(bytes: batchBytes)
                } catch {
                    logger.error("could not store step output: \(error)")
                }
            }
        }
        await (waitForAll ? lastWrite : previous)?.value
    }

    /// A batch is in the store: announce it, or let the announcement due at the end of the
    /// current interval cover it.
    private func landed(bytes: Int) {
        unannouncedBytes += bytes
        let now = clock.now()
        guard let last = lastAnnounced, now.timeIntervalSince(last) < Self.announceInterval else {
            announce()
            return
        }
        guard announcement == nil else { return }
        announcement = Task { [weak self, clock] in
            try? await clock.sleep(until: last.addingTimeInterval(Self.announceInterval))
            await self?.announce()
        }
    }

    private func announce() {
        announcement = nil
        lastAnnounced = clock.now()
        // `bytes`: as stored (compressed) since the last announcement, for /metrics.
        events.record(.stepLog, ["buildid": .number(Double(buildID)), "step": .number(Double(step)),
                                 "bytes": .number(Double(unannouncedBytes))])
        unannouncedBytes = 0
    }
}
