import Foundation
import MinibotCore
import MinibotProtocol

extension AvailabilityPlugin {
    /// Restores flags, then handles events and timer deadlines until cancelled.
    public func run() async throws {
        // Subscribe first so that nothing that happens while restoring is missed.
        let events = context.events()
        await restore()

        await withTaskGroup(of: Void.self) { group in
            let continuation = inputContinuation
            group.addTask {
                for await event in events { continuation.yield(.event(event)) }
            }
            var armed: (id: Int, at: Date)?
            var nextID = 0
            var pending: Input? = .rearm
            var iterator = inputs.makeAsyncIterator()
            while let input = pending {
                switch input {
                case .event(let event):
                    await handle(event)
                case .rearm:
                    break
                case .timer(let id):
                    if armed?.id == id { armed = nil }
                    await refresh(nil)
                }
                // Arm the timer for the earliest self-change if it is sooner than the armed one.
                let now = context.now()
                if let deadline = state.withLock({ $0.nextChange(now: now) }) {
                    let delay = min(max(0, deadline.timeIntervalSince(now)), Self.maxSleep)
                    let fireAt = now.addingTimeInterval(delay)
                    if armed == nil || fireAt < armed!.at {
                        nextID += 1
                        let id = nextID
                        armed = (id, fireAt)
                        group.addTask { [context] in
                            // A superseded timer still fires; that only costs one recomputation.
                            do { try await context.sleep(until: fireAt) } catch { return }
                            continuation.yield(.timer(id: id))
                        }
                    }
                }
                pending = await iterator.next()
            }
            group.cancelAll()
        }
    }

    /// Reloads persisted flags and the workers already connected, then opens the gate.
    func restore() async {
        let names = state.withLock { $0.order }
        var saved: [String: AvailabilityFlag] = [:]
        for name in names {
            if let value = await context.loadState(Self.flagKey(name)) {
                if let flag = AvailabilityFlag(json: value) {
                    saved[name] = flag
                } else {
                    context.log(.warning, "ignoring an unreadable saved flag for \(name)", metadata: ["worker": name])
                }
            }
        }
        let connected = Set(await context.workers().filter(\.isConnected).map(\.name))
        state.withLock { state in
            for (name, flag) in saved {
                // A flag set through the API while restoring is newer: keep it.
                if let current = state.workers[name]?.flag, current.setAt >= flag.setAt { continue }
                state.workers[name]?.flag = flag
            }
            for name in connected { state.workers[name]?.isConnected = true }
            state.isRestored = true
        }
        await refresh(nil)
        if !saved.isEmpty { context.log(.info, "restored \(saved.count) availability flag(s)") }
        context.wake(reason: "availability: flags restored")
    }

    func handle(_ event: PluginEvent) async {
        switch event {
        case .workerAttached(let snapshot):
            hostAgent.workerAttached(snapshot)
            let known = state.withLock { state -> Bool in
                guard state.workers[snapshot.name] != nil else { return false }
                state.workers[snapshot.name]?.isConnected = true
                state.workers[snapshot.name]?.load.forgetSamples()
                return true
            }
            guard known else { return }
            await refresh([snapshot.name])
            context.wake(reason: "availability: \(snapshot.name) connected")
        case .workerDetached(let worker):
            hostAgent.workerDetached(worker)
            state.withLock { state in
                state.workers[worker]?.isConnected = false
                state.workers[worker]?.load.forgetSamples()
                state.workers[worker]?.owner.forget()
            }
            await refresh([worker])
        case .workerStatus(let worker, let status):
            // Stamped with the master's clock: the worker's clock may be off, and the
            // staleness check compares with the master's `now`.
            let now = context.now()
            state.withLock { state in
                state.workers[worker]?.load.record(status, at: now)
                state.workers[worker]?.owner.record(status.owner, at: now)
            }
            await refresh([worker])
        case .workerMessage(let worker, let payload) where AgentRelayMessage.isRelayPayload(payload):
            await hostAgent.handle(payload, from: worker)
        case .workerMessage(let worker, let payload):
            await handleMessage(payload, from: worker)
        case .buildStarted(let info):
            await hostAgent.requestDone(info.requestID)
            await buildStarted(info)
        case .requestRemoved(let id):
            await hostAgent.requestDone(id)
        case .buildFinished(let info, _):
            buildFinished(info)
        case .configReloaded:
            break
        }
    }

    /// A message from the plugin's counterpart on a worker: the worker's owner setting a
    /// flag on their own machine, or asking for the current state.
    func handleMessage(_ payload: JSONValue, from worker: String) async {
        func reply(_ error: String?) async {
            var body: [String: JSONValue] = ["type": .string("availability"), "ok": .bool(error == nil)]
            if let error { body["error"] = .string(error) }
            if let availability = availability(of: worker) { body["availability"] = availability.json }
            await context.send(to: worker, .object(body))
        }
        switch payload["type"]?.stringValue {
        case "set_flag":
            let now = context.now()
            let zone = state.withLock { $0.displayZone }
            var fields = payload
            if case .object(var object) = fields { object["type"] = nil; fields = .object(object) }
            do {
                let flag = try FlagRequest.parse(fields, now: now, zone: zone, defaultBy: "owner of \(worker)")
                await setFlag(flag, for: worker)
                await reply(nil)
            } catch {
                context.log(.warning, "rejected a flag from \(worker): \(error.message)", metadata: ["worker": worker])
                await reply(error.message)
            }
        case "clear_flag":
            await setFlag(nil, for: worker)
            await reply(nil)
        case "get_availability":
            await reply(nil)
        default:
            let type = payload["type"]?.stringValue ?? "none"
            context.log(.warning, "ignoring a message of unknown type '\(type)' from \(worker)", metadata: ["worker": worker])
            await reply("unknown message type '\(type)': use set_flag, clear_flag or get_availability")
        }
    }
}
