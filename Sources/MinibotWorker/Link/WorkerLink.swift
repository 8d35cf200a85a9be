import Foundation
import HummingbirdWSClient
import MinibotProtocol

/// One welcomed connection's sending side: encodes `WorkerMessage`s into text frames
/// (step output into binary ``OutputFrame``s).
///
/// Used concurrently by the steps' output pumps, the status and heartbeat loops and plugin
/// senders; the underlying writer serialises frames and applies backpressure, so a sender
/// that awaits `send` waits for a slow link instead of queueing without bound.
struct WorkerLink: Sendable {
    let id: Int
    let outbound: WebSocketOutboundWriter

    func send(_ message: WorkerMessage) async throws {
        if case .output(let output) = message {
            try await send(OutputChunk(output))
            return
        }
        let data = try WorkerWire.encoder().encode(message)
        try await outbound.write(.text(String(decoding: data, as: UTF8.self)))
    }

    /// Sends step output as a binary ``OutputFrame``.
    func send(_ chunk: OutputChunk) async throws {
        try await outbound.write(.binary(OutputFrame.encode(chunk)))
    }
}
