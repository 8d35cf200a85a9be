import Foundation
import HummingbirdWebSocket
import Logging
import MinibotCore
import MinibotProtocol
import Hummingbird

/// Serves stock buildbot-workers: checks the credentials of a WebSocket upgrade of `GET /`
/// (``refusal(authorization:address:)``, before the upgrade), then runs one link per worker: bring-up,
/// attach to the registry, frames in and out, keepalives, until either side hangs up.
///
/// Nothing a worker sends reaches the build logic undecoded: a frame that is not one bounded
/// MessagePack map, a text frame or a protocol breach closes the link with a logged reason.
struct MsgpackWorkerEndpoint: Sendable {
    let registry: WorkerRegistry
    /// Refusals are recorded here too (`worker_refused`): an operator, or a test, sees why a
    /// worker does not connect without reading the master's log.
    let events: EventLog
    /// Failed hellos per address, shared with the native endpoint: a guesser gains nothing by
    /// switching protocols.
    let throttle: WorkerEndpoint.Throttle
    let logger: Logger
    let clock: any WallClock
    /// How often a `keepalive` is sent; three intervals of silence close the link.
    var heartbeat: Duration = .seconds(10)
    /// How often an attached stock worker's load is probed (``MsgpackLoadProbe``); nil: never.
    /// The default matches a native worker's report interval and the availability plugin's
    /// `status_interval` default, so three missed probes make the load unknown.
    var loadInterval: Duration? = .seconds(5)
    /// Frames over this are refused by the WebSocket layer (its `maxFrameSize`).
    var maxFrameBytes = WorkerWire.maxFrameBytes
    let leftovers = MsgpackLeftovers()
    /// Command ids of this master process never collide with an earlier one's.
    let nonce = String(UInt64.random(in: 0...UInt64.max), radix: 36)

    /// Whether an upgrade with this `Authorization` header from `address` is refused (the
    /// reason logged and recorded), and with which status; nil to accept it. An address that
    /// failed recently waits longer first.
    func refusal(authorization: String?, address: String?) async -> RefusedUpgrade.Status? {
        let credentials = MsgpackWire.basicCredentials(authorization)
        let key = address ?? "unknown"
        let now = clock.now()
        let wait = throttle.state.withLock { $0.delay(for: key, now: now) }
        if wait > 0 { try? await clock.sleep(until: now.addingTimeInterval(wait)) }
        // `reason` is public (the event stream needs no login); `detail` is for the log only.
        let reason: String?
        let detail: String?
        var status = RefusedUpgrade.Status.unauthorized
        if let (name, password) = credentials {
            let refusal = await registry.refusal(name: name, password: password, wireProtocol: .msgpack)
            reason = refusal?.message
            detail = refusal?.detail
            if let refusal, refusal.isAuthenticationFailure {
                let at = clock.now()
                throttle.state.withLock { $0.failed(key, now: at) }
            } else if refusal == nil {
                throttle.state.withLock { $0.succeeded(key) }
            }
            if refusal?.isDuplicate == true { status = .conflict }
        } else {
            reason = "a WebSocket upgrade of / needs Authorization: Basic credentials (a buildbot-worker's name and password)"
            detail = reason
        }
        if let reason {
            // Quoted and cut in the log (a name may hold anything); only cut in the JSON event.
            let worker = credentials.map { ClientText.quoted($0.name) }
            logger.warning("worker connection refused", metadata: [
                "protocol": "msgpack", "worker": "\(worker ?? "?")", "reason": "\(detail ?? reason)"])
            events.record(.workerRefused, ["worker": credentials.map { .string(String($0.name.prefix(128))) } ?? .null,
                                           "protocol": .string("msgpack"), "reason": .string(reason)])
        }
        return reason == nil ? nil : status
    }

    /// Probes the worker's load at once and then every ``loadInterval``, whether or not it is
    /// building (buildbot-worker runs commands side by side, and a long build must not make
    /// its load look unknown), with at most one probe outstanding; each good answer is
    /// reported through the registry like a native worker's status. Ends with the link.
    private func pollLoad(of link: MsgpackWorkerConnection, log: Logger) async {
        guard let loadInterval else { return }
        var isComplaining = false
        while !link.isClosed {
            let result: MsgpackStepPlan.CommandResult
            do {
                result = try await link.probeLoad()
            } catch {
                return
            }
            switch MsgpackLoadProbe.status(from: result, at: clock.now()) {
            case .success(let status):
                guard !link.isClosed else { return }
                await registry.statusReported(link.name, status, at: clock.now())
                isComplaining = false
            case .failure(let problem):
                // Said once per run of failures, not every interval.
                if !isComplaining { log.warning("cannot read the stock worker's load: \(problem)") }
                isComplaining = true
            }
            guard (try? await Task.sleep(for: loadInterval)) != nil else { return }
        }
    }

    /// Runs one accepted link to its end.
    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, authorization: String?,
               peer: String) async {
        guard let (name, _) = MsgpackWire.basicCredentials(authorization) else { return }
        let log = logger.with(worker: name).with("protocol", "msgpack")
        let (outbox, continuation) = AsyncStream<[UInt8]>.makeStream()
        var configuration = MsgpackSession.Configuration()
        configuration.heartbeat = heartbeat
        let link = MsgpackWorkerConnection(name: name, hostname: peer,
                                           session: MsgpackSession(configuration: configuration, now: .now),
                                           outbox: continuation, leftovers: leftovers, nonce: nonce, now: clock.now())
        var isAttached = false
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in outbox {
                    do {
                        try await outbound.write(.binary(ByteBuffer(bytes: frame)))
                    } catch {
                        break
                    }
                }
                try? await outbound.close(.normalClosure, reason: nil)
            }
            group.addTask { [heartbeat] in
                while (try? await Task.sleep(for: heartbeat)) != nil {
                    if let reason = link.tick() {
                        log.warning("closing worker connection: \(reason)")
                        link.close()
                        return
                    }
                }
            }
            link.start()
            var messages = inbound.messages(maxSize: maxFrameBytes).makeAsyncIterator()
            do {
                reading: while let frame = try await messages.next() {
                    guard case .binary(let buffer) = frame else {
                        log.warning("closing worker connection: a text frame (the msgpack protocol sends binary frames only)")
                        break
                    }
                    let message: MessagePackValue
                    do {
                        message = try MessagePack.decode(Array(buffer.readableBytesView))
                    } catch {
                        log.warning("closing worker connection: \(error)")
                        break
                    }
                    switch await link.received(message) {
                    case .none:
                        continue
                    case .ready:
                        guard await registry.attach(link) else {
                            log.warning("worker connection refused", metadata: ["reason": "worker \(name) is already connected"])
                            break reading
                        }
                        isAttached = true
                        log.info("stock worker ready", metadata: ["version": "\(link.info.version)", "peer": "\(peer)"])
                        group.addTask { await pollLoad(of: link, log: log) }
                    case .close(let reason):
                        log.warning("closing worker connection: \(reason)")
                        break reading
                    }
                }
                if !link.isClosed { log.info("worker connection closed by the worker") }
            } catch {
                log.warning("worker connection ended: \(error)")
            }
            link.close()
            group.cancelAll()
        }
        if isAttached { await registry.detach(link) }
        try? await outbound.close(.normalClosure, reason: nil)
    }
}
