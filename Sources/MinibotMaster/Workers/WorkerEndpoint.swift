import Foundation
import HummingbirdWebSocket
import Synchronization
import Logging
import MinibotCore
import MinibotProtocol

/// Serves one worker's WebSocket: authenticates its `hello`, attaches a ``JSONWorkerConnection``,
/// then dispatches its messages until the connection ends.
///
/// A bad first message, a wrong password, a duplicate name, a frame that does not decode
/// or is too large: the connection is refused or closed with a logged reason. Nothing a
/// worker sends can reach the build logic undecoded, and nothing here throws past the
/// connection, so the master and the other workers are unaffected.
struct WorkerEndpoint: Sendable {
    /// Failed hellos per address, shared by every connection (see ``HelloThrottle``).
    final class Throttle: Sendable {
        let state = Mutex(HelloThrottle())
    }

    let registry: WorkerRegistry
    let throttle = Throttle()
    let plugins: PluginHost
    let logger: Logger
    let clock: any WallClock
    /// How long a new connection may take to say hello.
    var helloTimeout: Duration = .seconds(10)
    /// How often the master pings an attached worker (sent to it in `welcome`); a link with
    /// no frame at all for three intervals is closed as dead.
    var heartbeat: Duration = .seconds(10)

    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, peer userAgent: String,
               address: String?) async {
        // Whatever a client sends is shown quoted and cut (a 1 MB "name" is not logged whole).
        let peer = "\(address ?? "?") \(ClientText.quoted(userAgent))"
        var messages = inbound.messages(maxSize: WorkerWire.maxFrameBytes).makeAsyncIterator()
        let decoder = WorkerWire.decoder()
        let encoder = WorkerWire.encoder()

        func refuse(_ reason: String, detail: String? = nil) async {
            logger.warning("worker connection refused", metadata: ["peer": "\(peer)", "reason": "\(detail ?? reason)"])
            if let data = try? encoder.encode(MasterMessage.refused(reason: reason)) {
                try? await outbound.write(.text(String(decoding: data, as: UTF8.self)))
            }
            try? await outbound.close(.policyViolation, reason: String(reason.prefix(100)))
        }

        // The hello, within a deadline: a silent connection is closed, which ends `next()`.
        let deadline = Task { [helloTimeout] in
            try await Task.sleep(for: helloTimeout)
            logger.warning("worker connection refused", metadata: ["peer": "\(peer)", "reason": "no hello within \(helloTimeout)"])
            try? await outbound.close(.policyViolation, reason: "no hello")
        }
        let first: WebSocketMessage?
        do {
            first = try await messages.next()
        } catch {
            deadline.cancel()
            await refuse("bad first frame: \(error)")
            return
        }
        deadline.cancel()
        guard let first else {
            // The WebSocket layer ends the stream itself on a frame over the limit.
            logger.warning("worker connection refused", metadata: [
                "peer": "\(peer)",
                "reason": "closed before a hello (the peer hung up, or sent a frame over the \(WorkerWire.maxFrameBytes) byte limit)",
            ])
            return
        }
        guard case .text(let text) = first,
              case .hello(let hello)? = try? decoder.decode(WorkerMessage.self, from: Data(text.utf8)) else {
            await refuse("the first message must be a hello")
            return
        }
        guard hello.protocolVersion == WorkerWire.version else {
            await refuse("protocol version \(hello.protocolVersion) not supported (master speaks \(WorkerWire.version))")
            return
        }
        // An address that failed recently waits longer for each new try.
        let key = address ?? "unknown"
        let now = clock.now()
        let wait = throttle.state.withLock { $0.delay(for: key, now: now) }
        if wait > 0 { try? await clock.sleep(until: now.addingTimeInterval(wait)) }
        if let refusal = await registry.refusal(name: hello.name, password: hello.password, wireProtocol: .native) {
            if refusal.isAuthenticationFailure {
                let at = clock.now()
                throttle.state.withLock { $0.failed(key, now: at) }
            }
            await refuse(refusal.message, detail: refusal.detail)
            return
        }
        throttle.state.withLock { $0.succeeded(key) }

        let (outbox, outboxContinuation) = AsyncStream<MasterMessage>.makeStream()
        let link = JSONWorkerConnection(name: hello.name, info: hello.info, outbox: outboxContinuation,
                                        heartbeat: Double(heartbeat.components.seconds), now: clock.now(),
                                        canHold: hello.capabilities?.contains(WorkerWire.holdCapability) ?? false)
        guard await registry.attach(link) else {
            await refuse("worker \(ClientText.quoted(hello.name)) is already connected")
            return
        }
        let log = logger.with(worker: hello.name)
        let liveness = LinkLiveness(now: .now)

        await withTaskGroup(of: Void.self) { group in
            group.addTask { [heartbeat] in
                while (try? await Task.sleep(for: heartbeat)) != nil {
                    let silence = liveness.silence(at: .now)
                    if silence >= heartbeat * 3 {
                        log.warning("closing worker connection: nothing heard for \(silence.components.seconds) s (3 missed heartbeats)")
                        // Dead at once, whether or not the close handshake ever completes (a
                        // stopped process never answers it): its builds end RETRY now and it
                        // gets no new one. The reader's own detach below is then a no-op.
                        link.close()
                        await registry.detach(link)
                        try? await outbound.close(.goingAway, reason: "no heartbeat")
                        return
                    }
                    link.send(.ping)
                }
            }
            group.addTask {
                let encoder = WorkerWire.encoder()
                for await message in outbox {
                    guard let data = try? encoder.encode(message) else { continue }
                    do {
                        try await outbound.write(.text(String(decoding: data, as: UTF8.self)))
                    } catch {
                        break
                    }
                    if case .shutdown = message {
                        try? await outbound.close(.normalClosure, reason: "shutdown")
                    }
                }
            }
            do {
                while let frame = try await messages.next() {
                    liveness.heard(at: .now)
                    if case .binary(let buffer) = frame {
                        guard let output = OutputFrame.decode(buffer) else {
                            log.warning("closing worker connection: a binary frame is not step output")
                            break
                        }
                        await link.deliver(output)
                        continue
                    }
                    guard case .text(let text) = frame,
                          let message = try? decoder.decode(WorkerMessage.self, from: Data(text.utf8)) else {
                        log.warning("closing worker connection: a frame did not decode as a worker message")
                        break
                    }
                    await dispatch(message, link: link)
                }
                // The stream ends the same way when the worker hangs up and when the WebSocket
                // layer drops a frame over the limit; the worker's own frames never reach it
                // (output is chunked), so the usual case is said plainly and the other is a hint.
                log.info("worker connection closed")
                log.debug("a worker connection also closes like this after a frame over the \(WorkerWire.maxFrameBytes) byte limit")
            } catch {
                log.warning("worker connection ended: \(error)")
            }
            link.close()
            group.cancelAll()
        }
        await registry.detach(link)
        try? await outbound.close(.normalClosure, reason: nil)
    }

    private func dispatch(_ message: WorkerMessage, link: JSONWorkerConnection) async {
        switch message {
        case .hello:
            break
        case .status(let status):
            await registry.statusReported(link.name, status, at: clock.now())
        case .output(let output):
            await link.deliver(OutputChunk(output))
        case .stepFinished(let finished):
            link.finish(finished)
        case .plugin(let name, let payload):
            plugins.workerMessage(plugin: name, worker: link.name, payload: payload)
        case .samples(let page):
            link.receive(page)
        case .ping:
            link.send(.pong)
        case .pong:
            break
        }
    }
}

extension Logger {
    /// A copy with one metadata value set.
    func with(_ key: String, _ value: String) -> Logger {
        var copy = self
        copy[metadataKey: key] = "\(value)"
        return copy
    }

    func with(worker: String) -> Logger { with("worker", worker) }
}
