import Foundation
import HummingbirdWSClient
import Logging
import MinibotCore
import MinibotProtocol

extension Worker {
    /// What the session loop reacts to; every source (the socket, timers, draining steps)
    /// feeds one stream so the loop's state needs no lock.
    enum SessionEvent: Sendable {
        case message(MasterMessage)
        case undecodable(String)
        case closed(String)
        case heartbeatDue
        case handshakeTimedOut
        case drained
    }

    /// Serves one connection from `hello` to its end. Runs off the actor: it only touches
    /// the actor to publish the link and deliver plugin messages.
    nonisolated func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async -> LinkOutcome {
        let link = WorkerLink(id: await makeLinkID(), outbound: outbound)
        let hello = WorkerMessage.Hello(name: configuration.name, password: configuration.password,
                                        info: HostFacts.info(agentSocket: configuration.agentSocket))
        do {
            try await link.send(.hello(hello))
        } catch {
            return .lost(welcomed: false, "cannot send hello: \(error)")
        }
        emit(.helloSent)

        let (events, feed) = AsyncStream.makeStream(of: SessionEvent.self)
        let steps = StepTable()
        let outcome = await withDiscardingTaskGroup { (group: inout DiscardingTaskGroup) -> LinkOutcome in
            group.addTask { await Self.read(inbound, into: feed) }
            let handshakeTimeout = configuration.handshakeTimeout
            group.addTask {
                if (try? await Task.sleep(for: handshakeTimeout)) != nil { feed.yield(.handshakeTimedOut) }
            }
            var isWelcomed = false
            var isDraining = false
            var missedPongs = 0
            var outcome: LinkOutcome = .lost(welcomed: false, "the worker is stopping")
            loop: for await event in events {
                switch event {
                case .message(let message) where !isWelcomed:
                    switch message {
                    case .welcome(let heartbeat):
                        isWelcomed = true
                        await linkWelcomed(link)
                        emit(.welcomed(heartbeat: heartbeat))
                        logger.info("connected to master at \(configuration.masterURL)")
                        let interval = heartbeat > 0 ? Duration.seconds(heartbeat) : configuration.defaultHeartbeat
                        startPeriodicTasks(in: &group, link: link, heartbeat: interval, feed: feed)
                    case .refused(let reason):
                        outcome = .refused(reason)
                        break loop
                    case .ping:
                        try? await link.send(.pong)
                    default:
                        outcome = .lost(welcomed: false, "the master sent \(Self.kind(of: message)) before welcome")
                        break loop
                    }
                case .message(let message):
                    // Any message proves the master alive: its pong to our ping can lag far
                    // behind while it stores a big log we streamed, but its own pings do not.
                    missedPongs = 0
                    if let end = await handle(message, link: link, steps: steps, group: &group,
                                              isDraining: &isDraining, missedPongs: &missedPongs, feed: feed) {
                        outcome = end
                        break loop
                    }
                case .undecodable(let why):
                    logger.error("closing the link: \(why)")
                    outcome = .lost(welcomed: isWelcomed, why)
                    break loop
                case .closed(let why):
                    // After a graceful shutdown request the master hangs up once the worker is
                    // idle, possibly before `drained` is seen here: that is the shutdown, not a
                    // lost link to reconnect (a reconnection would undo the stop).
                    outcome = isDraining ? .shutdown : .lost(welcomed: isWelcomed, why)
                    break loop
                case .heartbeatDue:
                    if missedPongs >= 3 {
                        outcome = .lost(welcomed: true, "no answer to 3 pings")
                        break loop
                    }
                    missedPongs += 1
                    try? await link.send(.ping)
                case .handshakeTimedOut:
                    if !isWelcomed {
                        outcome = .lost(welcomed: false, "no welcome within \(Worker.describe(handshakeTimeout))")
                        break loop
                    }
                case .drained:
                    outcome = .shutdown
                    break loop
                }
            }
            // Ends the reader, the timers and every running step (cancellation kills their
            // process groups): a step cannot report anywhere once its link is gone.
            group.cancelAll()
            return outcome
        }
        feed.finish()
        await linkEnded(link)
        return outcome
    }

    /// Handles one message after `welcome`; returns how the link ends, or nil to go on.
    private nonisolated func handle(_ message: MasterMessage, link: WorkerLink, steps: StepTable,
                                    group: inout DiscardingTaskGroup, isDraining: inout Bool,
                                    missedPongs: inout Int, feed: AsyncStream<SessionEvent>.Continuation) async
        -> LinkOutcome? {
        switch message {
        case .startStep(let start):
            let key = StepTable.Key(buildID: start.buildID, step: start.step)
            let stepLogger = logger.with(build: start.buildID, step: start.step)
            if isDraining {
                let refusal = WorkerMessage.StepFinished(buildID: start.buildID, step: start.step, result: .exception,
                                                         reason: "the worker is shutting down")
                try? await link.send(.stepFinished(refusal))
                return nil
            }
            let control = StepControl()
            guard await steps.insert(key, control) else {
                stepLogger.warning("ignoring a second startStep for a step that is already running")
                return nil
            }
            stepLogger.info("step '\(start.name)' started", metadata: ["builder": .string(start.builder)])
            emit(.stepStarted(buildID: start.buildID, step: start.step))
            let runner = self.runner
            group.addTask {
                let compressors = StepCompressors()
                let finished = await runner.run(start, control: control) { stream, text in
                    let payload = compressors.payload(for: text, on: stream)
                    let chunk = OutputChunk(buildID: start.buildID, step: start.step, stream: stream, payload: payload)
                    try? await link.send(chunk)
                }
                do {
                    try await link.send(.stepFinished(finished))
                } catch {
                    stepLogger.info("step result not delivered: the link is gone")
                }
                stepLogger.info("step '\(start.name)' finished: \(finished.result)",
                                metadata: finished.reason.map { ["reason": .string($0)] } ?? [:])
                self.emit(.stepFinished(finished))
                await steps.remove(key)
            }
        case .interrupt(let buildID, let step, let reason):
            if let control = await steps.control(for: .init(buildID: buildID, step: step)) {
                logger.with(build: buildID, step: step).info("interrupting step: \(reason)")
                control.stop(.interrupted(reason))
            } else {
                logger.with(build: buildID, step: step).debug("interrupt for a step that is not running")
            }
        case .plugin(let name, let payload):
            await deliverPlugin(name: name, payload: payload)
        case .shutdown(let graceful):
            guard graceful else {
                logger.info("master asked for an immediate shutdown: killing running steps")
                return .shutdown
            }
            if !isDraining {
                isDraining = true
                logger.info("master asked for a graceful shutdown: finishing running steps first")
                group.addTask {
                    await steps.waitUntilIdle()
                    feed.yield(.drained)
                }
            }
        case .ping:
            try? await link.send(.pong)
        case .pong:
            missedPongs = 0
        case .welcome, .refused:
            logger.debug("ignoring \(Self.kind(of: message)) on an established link")
        }
        return nil
    }

    private nonisolated func startPeriodicTasks(in group: inout DiscardingTaskGroup, link: WorkerLink,
                                                heartbeat: Duration, feed: AsyncStream<SessionEvent>.Continuation) {
        let statusInterval = configuration.statusInterval
        let reader = configuration.loadReader
        let logger = self.logger
        group.addTask {
            // The first report goes out right after `welcome`: the availability plugin treats
            // the load as unknown until it arrives, so a later one would delay the first build.
            var lastError: String?
            while !Task.isCancelled {
                do {
                    try await link.send(.status(WorkerStatus(try reader.read(at: Date()))))
                    lastError = nil
                } catch let error as LoadReaderError {
                    // Once per failure streak: the master then sees the load as unknown.
                    if lastError != error.message { logger.warning("cannot report the load: \(error.message)") }
                    lastError = error.message
                } catch {
                    // The link is going away; the session loop ends the task.
                }
                guard (try? await Task.sleep(for: statusInterval)) != nil else { return }
            }
        }
        group.addTask {
            while (try? await Task.sleep(for: heartbeat)) != nil {
                feed.yield(.heartbeatDue)
            }
        }
    }

    /// Decodes frames into session events until the socket ends.
    private static func read(_ inbound: WebSocketInboundStream, into feed: AsyncStream<SessionEvent>.Continuation) async {
        let decoder = WorkerWire.decoder()
        do {
            for try await frame in inbound.messages(maxSize: WorkerWire.maxFrameBytes) {
                guard case .text(let text) = frame else {
                    feed.yield(.undecodable("the master sent a binary frame; the protocol uses text frames"))
                    return
                }
                do {
                    feed.yield(.message(try decoder.decode(MasterMessage.self, from: Data(text.utf8))))
                } catch {
                    feed.yield(.undecodable("undecodable message from the master (\(error)); is it the same Minibot version?"))
                    return
                }
            }
            feed.yield(.closed("the master closed the connection"))
        } catch {
            feed.yield(.closed("connection error: \(error)"))
        }
    }

    static func kind(of message: MasterMessage) -> String {
        switch message {
        case .welcome: "welcome"
        case .refused: "refused"
        case .startStep: "startStep"
        case .interrupt: "interrupt"
        case .plugin: "plugin"
        case .shutdown: "shutdown"
        case .ping: "ping"
        case .pong: "pong"
        }
    }
}

extension Logger {
    func with(build: Int64, step: Int) -> Logger {
        var copy = self
        copy[metadataKey: "build"] = .stringConvertible(build)
        copy[metadataKey: "step"] = .stringConvertible(step)
        return copy
    }
}
