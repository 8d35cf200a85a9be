import Foundation
import MinibotCore
import Synchronization

/// Collects what a step runner streams, for assertions; keeps only sizes for huge output.
final class OutputRecorder: Sendable {
    struct State {
        var text: [LogStream: String] = [:]
        var bytes: [LogStream: Int] = [:]
        var chunkCount: [LogStream: Int] = [:]
        var largestChunk = 0
    }

    let keepsText: Bool
    let state = Mutex(State())
    /// Called with every chunk after it is recorded (e.g. to open a gate the step waits on).
    let onChunk: @Sendable (LogStream, String) -> Void

    init(keepsText: Bool = true, onChunk: @escaping @Sendable (LogStream, String) -> Void = { _, _ in }) {
        self.keepsText = keepsText
        self.onChunk = onChunk
    }

    var sink: @Sendable (LogStream, String) async -> Void {
        { stream, text in self.record(stream, text) }
    }

    func record(_ stream: LogStream, _ text: String) {
        state.withLock { s in
            if keepsText { s.text[stream, default: ""] += text }
            s.bytes[stream, default: 0] += text.utf8.count
            s.chunkCount[stream, default: 0] += 1
            s.largestChunk = max(s.largestChunk, text.utf8.count)
        }
        onChunk(stream, text)
    }

    func text(_ stream: LogStream) -> String { state.withLock { $0.text[stream] ?? "" } }
    func bytes(_ stream: LogStream) -> Int { state.withLock { $0.bytes[stream] ?? 0 } }
    func chunks(_ stream: LogStream) -> Int { state.withLock { $0.chunkCount[stream] ?? 0 } }
    var largestChunk: Int { state.withLock { $0.largestChunk } }
}
