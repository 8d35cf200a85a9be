import Foundation
import HummingbirdWSClient
import Logging
import MinibotCore
import MinibotHostFacts
import MinibotProtocol
import Synchronization

extension Worker {
    /// What the session loop reacts to; every source (the socket, timers, draining steps)
    /// feeds one stream so the loop's state needs no lock.
    typealias SessionEvent = SessionStateMachine.Event

    /// Serves one connection from `hello` to its end. Runs off the actor: it only touches
    /// the actor to publish the link and deliver plugin messages.
    nonisolated func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async -> LinkOutcome {
        let link = WorkerLink(id: await makeLinkID(), outbound: outbound)
        let hello = WorkerMessage.Hello(name: configuration.name, password: configuration.password,
                                        info: HostFacts.info(agentSocket: configuration.agentSocket,
                                                             samplesInterval: configuration.samplesFile.map { _ in
                                                                 configuration.samplesInterval
                                                             }),
                                        capabilities: [WorkerWire.holdCapability])
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
            var session = SessionStateMachine(handshakeTimeoutText: Worker.describe(handshakeTimeout))
            var outcome: LinkOutcome = .lost(welcomed: false, "the worker is stopping")
            loop: for await event in events {
                for action in session.handle(event) {
                    if case .end(let end) = action {
                        outcome = end
                        break loop
                    }
                    await perform(action, link: link, codec: session.outputCodec, steps: steps, group: &group, feed: feed)
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

    /// Carries out one action of the session's state machine (all but `end`).
    private nonisolated func perform(_ action: SessionStateMachine.Action, link: WorkerLink, codec: LogCodec, steps: StepTable,
                                     group: inout DiscardingTaskGroup,
                                     feed: AsyncStream<SessionEvent>.Continuation) async {
        switch action {
        case .sendPing:
            try? await link.send(.ping)
        case .sendPong:
            try? await link.send(.pong)
        case .welcomed(let heartbeat):
            await linkWelcomed(link)
            emit(.welcomed(heartbeat: heartbeat))
            logger.info("connected to master at \(configuration.masterURL)")
            if !startupPagesReleased.exchange(true, ordering: .relaxed) {
                // Start-up and the first connection touched code the worker seldom runs again.
                Task.detached(priority: .background) { _ = StartupPages.release() }
            }
            // The master's number: a huge or non-finite one must not reach Duration (it traps).
            let interval = heartbeat.isFinite && heartbeat > 0
                ? Duration.seconds(min(heartbeat, SessionStateMachine.maxHeartbeat)) : configuration.defaultHeartbeat
            startPeriodicTasks(in: &group, link: link, heartbeat: interval, feed: feed)
        case .runStep(let start):
            await runStep(start, link: link, codec: codec, steps: steps, group: &group)
        case .refuseStep(let start):
            let refusal = WorkerMessage.StepFinished(buildID: start.buildID, step: start.step, result: .exception,
                                                     reason: "the worker is shutting down")
            try? await link.send(.stepFinished(refusal))
        case .deliver(.interrupt(let buildID, let step, let reason)):
            if let control = await steps.control(for: .init(buildID: buildID, step: step)) {
                logger.with(build: buildID, step: step).info("interrupting step: \(reason)")
                control.stop(.interrupted(reason))
            } else {
                logger.with(build: buildID, step: step).debug("interrupt for a step that is not running")
            }
        case .deliver(.hold(let buildID, let mode)):
            logger.info("build \(buildID): \(mode.rawValue) its steps (availability)")
            await steps.hold(buildID: buildID, mode)
        case .deliver(.plugin(let name, let payload)):
            await deliverPlugin(name: name, payload: payload)
        case .deliver(.fetchSamples(let request)):
            group.addTask { await self.sendSamples(request, link: link) }
        case .deliver(let message):
            logger.debug("nothing to deliver for \(SessionStateMachine.kind(of: message))")
        case .drain:
            await steps.resumeAll()
            group.addTask {
                await steps.waitUntilIdle()
                feed.yield(.drained)
            }
        case .log(.debug, let text):
            logger.debug("\(text)")
        case .log(.info, let text):
            logger.info("\(text)")
        case .log(.error, let text):
            logger.error("\(text)")
        case .end:
            break  // the session loop ends the link
        }
    }

    /// Starts a step the master sent, in the link's task group.
    private nonisolated func runStep(_ start: MasterMessage.StartStep, link: WorkerLink, codec: LogCodec, steps: StepTable,
                                     group: inout DiscardingTaskGroup) async {
        let key = StepTable.Key(buildID: start.buildID, step: start.step)
        let stepLogger = logger.with(build: start.buildID, step: start.step)
        let control = StepControl()
        guard await steps.insert(key, control) else {
            stepLogger.warning("ignoring a second startStep for a step that is already running")
            return
        }
        stepLogger.info("step '\(start.name)' started", metadata: ["builder": .string(start.builder)])
        emit(.stepStarted(buildID: start.buildID, step: start.step))
        let runner = self.runner
        group.addTask {
            let compressors = StepCompressors(codec: codec)
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
    }

    private nonisolated func startPeriodicTasks(in group: inout DiscardingTaskGroup, link: WorkerLink,
                                                heartbeat: Duration, feed: AsyncStream<SessionEvent>.Continuation) {
        let statusInterval = configuration.statusInterval
        let reader = configuration.loadReader
        let owner = configuration.ownerIdleReader
        let logger = self.logger
        group.addTask {
            // The first report goes out right after `welcome`: the availability plugin treats
            // the load as unknown until it arrives, so a later one would delay the first build.
            var lastError: String?
            while !Task.isCancelled {
                do {
                    var status = WorkerStatus(try reader.read(at: Date()))
                    status.owner = await owner.read(now: Date())
                    try await link.send(.status(status))
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
                    feed.yield(.received(try decoder.decode(MasterMessage.self, from: Data(text.utf8))))
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
}

extension Logger {
    func with(build: Int64, step: Int) -> Logger {
        var copy = self
        copy[metadataKey: "build"] = .stringConvertible(build)
        copy[metadataKey: "step"] = .stringConvertible(step)
        return copy
    }
}

/// Whether this process has handed its start-up pages back (once, at the first welcome).
private let startupPagesReleased = Atomic<Bool>(false)
