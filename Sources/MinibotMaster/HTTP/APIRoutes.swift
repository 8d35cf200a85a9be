import Foundation
import Hummingbird
import MinibotCore
import MinibotStore

/// The REST API under `/api/v2`, shaped like Buildbot's: each answer is an object whose key
/// names the collection (`{"builds": [...]}`). Reads are open; writes need the admin token
/// (`Authorization: Bearer TOKEN`) and answer 401 without it, changing nothing.
struct APIRoutes: Sendable {
    let runtime: MasterRuntime

    func register(on router: Router<MasterRequestContext>) {
        let api = router.group("api/v2")
        api.get("/") { _, _ in
            let halted = await runtime.distributor.haltReason
            return APIJSON.raw(JSONValue.object([
                "title": .string(runtime.config.title), "master": .string(runtime.masterName),
                "healthy": .bool(halted == nil),
                "problems": .array(halted.map { [JSONValue.string($0)] } ?? []),
                "long_polls": .object([
                    "open": .number(Double(runtime.longPolls.open)),
                    "max": .number(Double(runtime.longPolls.limits.total)),
                    "max_per_client": .number(Double(runtime.longPolls.limits.perClient)),
                    "max_timeout": .number(LongPollBudget.maxTimeout),
                ]),
            ]).data)
        }
        api.get("builders") { _, _ in try await builders(name: nil) }
        api.get("builders/:name") { _, context in
            try await builders(name: context.parameters.get("name"))
        }
        api.post("builders/:name/force") { request, context in
            try await force(request, builder: context.parameters.get("name") ?? "")
        }
        api.get("builds") { request, _ in try await builds(request) }
        api.get("builds/:id") { _, context in try await build(context.parameters.get("id", as: Int64.self)) }
        api.post("builds/:id/stop") { request, context in
            try await stopBuild(request, id: context.parameters.get("id", as: Int64.self))
        }
        api.post("builds/:id/rebuild") { request, context in
            if let denied = runtime.denyUnlessAdmin(request) { return denied }
            guard let id = context.parameters.get("id", as: Int64.self) else { return APIJSON.error(.badRequest, "build id must be a number") }
            switch await runtime.schedulers.rebuild(buildID: id, by: "api") {
            case .success(let result): return APIJSON.response(result)
            case .failure(let error): return APIJSON.error(error.status, error.message)
            }
        }
        api.get("logs/:logid/raw") { _, context in
            let parts = context.parameters.get("logid", as: Int64.self).flatMap(StepID.parts)
            return try await rawLog(build: parts?.build, step: parts?.step)
        }
        api.get("builds/:id/steps/:step/logs/stdio/raw") { _, context in
            try await rawLog(build: context.parameters.get("id", as: Int64.self),
                             step: context.parameters.get("step", as: Int.self))
        }
        api.get("buildrequests") { request, _ in try await buildRequests(request) }
        api.post("buildrequests/:id/cancel") { request, context in
            try await cancelRequest(request, id: context.parameters.get("id", as: Int64.self))
        }
        api.get("workers") { _, _ in await workers(name: nil) }
        api.get("workers/:name") { _, context in
            // A worker by name or by its `workerid`.
            let key = context.parameters.get("name")
            let names = runtime.config.workers.map(\.name)
            return await workers(name: key.map { StableID.name(forID: $0, among: names) ?? $0 })
        }
        api.get("workers/:name/timeline") { _, context in await timeline(worker: context.parameters.get("name") ?? "") }
        api.get("workers/:name/samples") { request, context in
            try await samples(request, worker: context.parameters.get("name") ?? "")
        }
        api.post("workers/:name/:action") { request, context in
            try await workerAction(request, name: context.parameters.get("name") ?? "",
                                   action: context.parameters.get("action") ?? "")
        }
        api.get("changes") { request, _ in try await changes(request) }
        api.get("events") { request, context in await events(request, context: context) }
        for method in [HTTPRequest.Method.get, .post, .put, .delete] {
            api.on("plugins/:plugin/**", method: method) { request, context in
                try await plugin(request, context: context)
            }
        }
    }

    // MARK: builders

    /// All builders, or the one named `key` (its name, or its `builderid`, as Buildbot takes either).
    private func builders(name key: String?) async throws -> Response {
        let cfg = runtime.config
        let name = key.map { StableID.name(forID: $0, among: cfg.builders.map(\.name)) ?? $0 }
        let pending = await runtime.distributor.pendingCounts()
        let list = cfg.builders.filter { name == nil || $0.name == name }.map { b in
            API.BuilderDTO(builderid: StableID.of(b.name), name: b.name, description: b.description, tags: b.tags, workers: b.workers,
                           steps: b.steps.map(\.name), pendingRequests: pending[b.name] ?? 0)
        }
        if name != nil && list.isEmpty { return APIJSON.error(.notFound, "no builder named \(name!)") }
        return APIJSON.response(["builders": list])
    }

    private func force(_ request: Request, builder: String) async throws -> Response {
        if let denied = runtime.denyUnlessAdmin(request) { return denied }
        var request = request
        let bytes = try await request.collectBody(upTo: 1 << 20)
        let body: ForceRequestBody
        switch ForceRequestBody.parse(Data(buffer: bytes)) {
        case .success(let parsed): body = parsed
        case .failure(let problem): return APIJSON.error(.badRequest, problem.message)
        }
        switch await runtime.schedulers.force(builder: builder, body: body) {
        case .success(let result): return APIJSON.response(result)
        case .failure(let error): return APIJSON.error(error.status, error.message)
        }
    }

    // MARK: builds

    private func builds(_ request: Request) async throws -> Response {
        try await BrowseRoutes.builds(BuildFilter(query: request.apiQuery), runtime: runtime)
    }

    private func build(_ id: Int64?) async throws -> Response {
        guard let id, let b = try await runtime.store.build(id: id).map({ runtime.runner.live([$0])[0] }) else {
            return APIJSON.error(.notFound, "no such build")
        }
        let steps = try await runtime.store.steps(buildID: id)
        let stamp = try await runtime.store.request(id: b.buildRequestID)?.sourceStamp
        return APIJSON.response(["builds": [API.build(b, stamp: stamp, steps: steps)]])
    }

    private func stopBuild(_ request: Request, id: Int64?) async throws -> Response {
        if let denied = runtime.denyUnlessAdmin(request) { return denied }
        guard let id else { return APIJSON.error(.badRequest, "build id must be a number") }
        var request = request
        let bytes = try await request.collectBody(upTo: 1 << 16)
        let body: BuildActionBody
        switch BuildActionBody.parse(Data(buffer: bytes), accepting: [.reason, .results]) {
        case .success(let parsed): body = parsed
        case .failure(let problem): return APIJSON.error(.badRequest, problem.message + "; nothing was stopped")
        }
        let retry: Bool
        switch body.results {
        case nil, .result(.cancelled)?: retry = false
        case .result(.retry)?: retry = true
        default:
            return APIJSON.error(.badRequest, "a stopped build ends CANCELLED (the default) or RETRY (it runs again)")
        }
        guard await runtime.runner.stop(buildID: id, reason: body.reason ?? "stopped by user", retry: retry) else {
            return APIJSON.error(.conflict, "build \(id) is not running")
        }
        return APIJSON.response(["stopped": id])
    }

    private func rawLog(build: Int64?, step: Int?) async throws -> Response {
        guard let build, let step else { return APIJSON.error(.badRequest, "build id and step number must be numbers") }
        let store = runtime.store
        guard try await store.build(id: build) != nil else { return APIJSON.error(.notFound, "no such build") }
        guard try await store.steps(buildID: build).contains(where: { $0.number == step }) else {
            return APIJSON.error(.notFound, "build \(build) has no step \(step)")
        }
        if let pruned = try await store.logsPruned(buildID: build) {
            let note = "log deleted by the janitor on \(pruned.formatted(.iso8601)) (older than janitor.log_horizon)\n"
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: note)))
        }
        // Streams the log chunk by chunk: a 50 MB log never sits whole in memory.
        let body = ResponseBody { writer in
            var after: Int64 = 0
            while true {
                let chunks = try await store.readLog(buildID: build, step: step, afterChunk: after, limit: 64)
                if chunks.isEmpty { break }
                for chunk in chunks {
                    try await writer.write(ByteBuffer(string: chunk.text))
                    after = chunk.id
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: body)
    }

    // MARK: requests

    private func buildRequests(_ request: Request) async throws -> Response {
        let q = request.apiQuery
        let claimed = try q.bool("claimed")
        let complete = try q.bool("complete")
        let limit = try q.integer("limit", in: 1...10_000, default: 1000)
        let list = try await runtime.store.requests(claimed: claimed, complete: complete, limit: limit)
        let waiting = await runtime.distributor.waitingReasons()
        let estimates = list.contains(where: \.isPending) ? try await ExpectedStarts.estimate(runtime) : [:]
        let dtos = list.map { API.request($0, waiting: waiting[$0.id], estimate: estimates[$0.id]) }
        return APIJSON.response(API.BuildRequestList(buildrequests: dtos, timeZone: TimeZone.current.identifier))
    }

    /// Cancels a pending request (Buildbot's `cancel` on a buildrequest): it ends CANCELLED
    /// without a build. 404 for an unknown id, 409 when it was claimed (a build started: stop
    /// that instead) or is already complete.
    private func cancelRequest(_ request: Request, id: Int64?) async throws -> Response {
        if let denied = runtime.denyUnlessAdmin(request) { return denied }
        guard let id else { return APIJSON.error(.badRequest, "request id must be a number") }
        var request = request
        let bytes = try await request.collectBody(upTo: 1 << 16)
        let reason: String
        switch BuildActionBody.parse(Data(buffer: bytes), accepting: [.reason]) {
        case .success(let body): reason = body.reason ?? "cancelled by user"
        case .failure(let problem): return APIJSON.error(.badRequest, problem.message + "; nothing was cancelled")
        }
        switch try await runtime.distributor.cancel(requestID: id, reason: reason) {
        case .cancelled:
            return APIJSON.response(["cancelled": id])
        case .notFound:
            return APIJSON.error(.notFound, "no build request \(id)")
        case .started:
            return APIJSON.error(.conflict, "build request \(id) has started; stop its build instead (minibot stop-build)")
        case .complete:
            return APIJSON.error(.conflict, "build request \(id) is already complete")
        }
    }

    // MARK: workers

    private func workers(name: String?) async -> Response {
        let states = await runtime.registry.states().filter { name == nil || $0.name == name }
        let active = runtime.runner.runningBuilds
        if let name, states.isEmpty { return APIJSON.error(.notFound, "no worker named \(name)") }
        var list: [JSONValue] = []
        for w in states {
            var o: [String: JSONValue] = [
                "name": .string(w.name),
                "workerid": .number(Double(StableID.of(w.name))),
                "connected": .bool(w.isConnected),
                "paused": .bool(w.isPaused),
                "pause_reason": w.pauseReason.map(JSONValue.string) ?? .null,
                "stopping": .bool(w.isStopping),
                // {deadline (epoch seconds or null), requested_by, requested_at, drained}, or null.
                "drain": w.drain.map { d in
                    .object(["deadline": d.deadline.map { .number($0.timeIntervalSince1970) } ?? .null,
                             "requested_by": .string(d.requestedBy),
                             "requested_at": .number(d.requestedAt.timeIntervalSince1970),
                             "drained": .bool(DrainDeadline.isDrained(running: w.runningBuilds))])
                } ?? .null,
                "max_builds": .number(Double(w.maxBuilds)),
                "running_builds": .array(active.filter { $0.worker == w.name }.map { .number(Double($0.build.id)) }),
                "last_connected": w.lastConnected.map { .number($0.timeIntervalSince1970) } ?? .null,
                // "minibot" (native) or "msgpack" (a stock buildbot-worker), as last connected.
                "protocol": w.info.map { .string($0.facts["protocol"] ?? "minibot") } ?? .null,
            ]
            if let info = w.info {
                o["info"] = .object([
                    "hostname": .string(info.hostname), "os": .string(info.os),
                    "cpus": .number(Double(info.cpus)), "version": .string(info.version),
                    "agent": info.facts["agent"].map(JSONValue.string) ?? .null,
                    "facts": .object(info.facts.mapValues(JSONValue.string)),
                ])
            }
            if let s = w.status {
                o["load"] = .object([
                    "load1": .number(s.load1), "cpu_pressure": s.cpuPressure.map(JSONValue.number) ?? .null,
                    "reported_at": .number(s.time.timeIntervalSince1970),
                ])
            }
            for p in runtime.plugins.all {
                if let summary = await p.plugin.workerSummary(w.name) { o[p.name] = summary }
            }
            list.append(.object(o))
        }
        return APIJSON.raw(JSONValue.object(["workers": .array(list)]).data)
    }

    private func workerAction(_ request: Request, name: String, action: String) async throws -> Response {
        if let denied = runtime.denyUnlessAdmin(request) { return denied }
        var request = request
        let bytes = try await request.collectBody(upTo: 1 << 16)
        let fields: [BuildActionBody.Field] = action == "drain" ? [.reason, .deadline, .by] : [.reason]
        let body: BuildActionBody
        switch BuildActionBody.parse(Data(buffer: bytes), accepting: fields) {
        case .success(let parsed): body = parsed
        case .failure(let problem): return APIJSON.error(.badRequest, problem.message)
        }
        let registry = runtime.registry
        let ok: Bool
        switch action {
        case "pause": ok = await registry.setPaused(name, paused: true, reason: body.reason)
        case "unpause": ok = await registry.setPaused(name, paused: false, reason: nil)
        case "stop":
            let known = await registry.states().contains { $0.name == name }
            guard known else { return APIJSON.error(.notFound, "no worker named \(name)") }
            guard await registry.stop(name) else {
                return APIJSON.error(.conflict, "worker \(name) is not connected: there is nothing to stop")
            }
            ok = true
        case "kill": ok = await registry.kill(name)
        case "drain":
            let deadline = body.deadline.map { runtime.clock.now().addingTimeInterval($0) }
            let by = body.by ?? "api"
            ok = await registry.setDrain(name, WorkerDrain(deadline: deadline, requestedAt: runtime.clock.now(), requestedBy: by))
        case "undrain": ok = await registry.setDrain(name, nil)
        default: return APIJSON.error(.notFound, "unknown worker action \(action) (pause, unpause, stop, kill, drain, undrain)")
        }
        guard ok else { return APIJSON.error(.notFound, "no worker named \(name)") }
        return APIJSON.response(["worker": name, "action": action])
    }

    // MARK: changes

    private func changes(_ request: Request) async throws -> Response {
        let limit = try request.apiQuery.integer("limit", in: 1...10_000, default: 100)
        let list = try await runtime.store.changes(limit: max(1, limit))
        return APIJSON.response(["changes": list.map(API.change)])
    }

    // MARK: events

    /// Long poll: events after `after` (default: none yet seen), waiting up to `timeout` s
    /// (at most ``LongPollBudget/maxTimeout``). A poll that may wait counts against the
    /// caps of ``LongPollBudget``: past them, 503 with `Retry-After` and a JSON reason, and
    /// the connection is closed (``StreamRefusal``).
    private func events(_ request: Request, context: MasterRequestContext) async -> Response {
        let client = context.remoteAddress ?? "unknown"
        let q = request.uri.queryParameters
        let log = runtime.plugins.events
        let after = q.get("after").flatMap { Int64($0) } ?? log.last
        let asked = q.get("timeout").flatMap { Double($0) } ?? 0
        let timeout = asked.isFinite ? min(max(0, asked), LongPollBudget.maxTimeout) : 0
        let found: [EventLog.Event]
        if timeout > 0 {
            switch runtime.longPolls.admit(client) {
            case .refused(let reason):
                return StreamRefusal.response(reason, closing: context.channel)
            case .taken(let ticket):
                found = await log.events(after: after, timeout: timeout)
                withExtendedLifetime(ticket) {}
            }
        } else {
            found = await log.events(after: after, timeout: 0)
        }
        return APIJSON.raw(JSONValue.object([
            "events": .array(found.map(\.json)),
            "last": .number(Double(found.last?.seq ?? max(after, 0))),
        ]).data)
    }

    // MARK: plugins

    private func plugin(_ request: Request, context: MasterRequestContext) async throws -> Response {
        guard let name = context.parameters.get("plugin"), let plugin = runtime.plugins.plugin(named: name) else {
            return APIJSON.error(.notFound, "no such plugin enabled")
        }
        var request = request
        let bytes = try await request.collectBody(upTo: 1 << 20)
        var query: [String: String] = [:]
        for (k, v) in request.uri.queryParameters { query[String(k)] = String(v) }
        let path = context.parameters.getCatchAll().joined(separator: "/")
        let answer = await plugin.handle(PluginHTTPRequest(
            method: request.method.rawValue, path: path, query: query, body: Data(buffer: bytes),
            isAdmin: runtime.isAdmin(request)))
        return APIJSON.raw(answer.body.data, status: HTTPResponse.Status(code: answer.status))
    }
}
