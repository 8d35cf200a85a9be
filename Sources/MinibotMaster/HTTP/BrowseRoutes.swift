import Foundation
import Hummingbird
import MinibotCore
import MinibotStore

/// The read-only REST endpoints that browse builds in depth, in Buildbot's shapes:
/// a build's steps and their logs (lists, windows of lines), one request, buildsets, one
/// change, masters and a builder's builds. Kept apart from ``APIRoutes`` (the core reads and
/// the writes) so each file stays readable.
struct BrowseRoutes: Sendable {
    let runtime: MasterRuntime

    /// The only log every step has today.
    static let logSlugs = ["stdio"]

    func register(on router: Router<MasterRequestContext>) {
        let api = router.group("api/v2")
        api.get("builders/:name/builds") { request, context in
            let key = try context.parameters.require("name")
            return try await builderBuilds(request, name: StableID.name(forID: key, among: runtime.config.builders.map(\.name)) ?? key)
        }
        api.get("builds/:id/steps") { _, context in
            try await steps(build: context.parameters.require("id", as: Int64.self), number: nil)
        }
        api.get("builds/:id/steps/:step") { _, context in
            try await steps(build: context.parameters.require("id", as: Int64.self),
                            number: context.parameters.require("step", as: Int.self))
        }
        api.get("builds/:id/steps/:step/logs") { _, context in
            try await logs(build: context.parameters.require("id", as: Int64.self),
                           step: context.parameters.require("step", as: Int.self), slug: nil)
        }
        api.get("builds/:id/steps/:step/logs/:slug") { _, context in
            try await logs(build: context.parameters.require("id", as: Int64.self),
                           step: context.parameters.require("step", as: Int.self),
                           slug: context.parameters.require("slug"))
        }
        api.get("builds/:id/steps/:step/logs/:slug/contents") { request, context in
            try await contents(request, build: context.parameters.require("id", as: Int64.self),
                               step: context.parameters.require("step", as: Int.self),
                               slug: context.parameters.require("slug"))
        }
        api.get("builds/:id/steps/:step/logs/:slug/text") { _, context in
            try await plainText(build: context.parameters.require("id", as: Int64.self),
                                step: context.parameters.require("step", as: Int.self),
                                slug: context.parameters.require("slug"))
        }
        // Buildbot's global ids: a step and its one log by `stepid`/`logid` (``StepID``).
        api.get("steps/:stepid") { _, context in
            let (build, step) = try Self.step(context, "stepid")
            return try await steps(build: build, number: step)
        }
        api.get("steps/:stepid/logs") { _, context in
            let (build, step) = try Self.step(context, "stepid")
            return try await logs(build: build, step: step, slug: nil)
        }
        api.get("logs/:logid") { _, context in
            let (build, step) = try Self.step(context, "logid")
            return try await logs(build: build, step: step, slug: nil)
        }
        api.get("logs/:logid/contents") { request, context in
            let (build, step) = try Self.step(context, "logid")
            return try await contents(request, build: build, step: step, slug: "stdio")
        }
        api.get("logs/:logid/text") { _, context in
            let (build, step) = try Self.step(context, "logid")
            return try await plainText(build: build, step: step, slug: "stdio")
        }
        api.get("buildrequests/:id") { _, context in
            try await buildRequest(context.parameters.require("id", as: Int64.self))
        }
        api.get("buildsets") { request, _ in try await buildsets(request) }
        api.get("buildsets/:id") { _, context in
            try await buildset(context.parameters.require("id", as: Int64.self))
        }
        api.get("changes/:id") { _, context in
            try await change(context.parameters.require("id", as: Int64.self))
        }
        api.get("masters") { _, _ in try await masters(only: nil) }
        api.get("masters/:id") { _, context in try await masters(only: try context.parameters.require("id")) }
    }

    // MARK: builds and steps

    private func builderBuilds(_ request: Request, name: String) async throws -> Response {
        guard runtime.config.builders.contains(where: { $0.name == name }) else {
            return APIJSON.error(.notFound, "no builder named \(name)")
        }
        let filter = try BuildFilter(query: request.apiQuery, builder: name)
        return try await Self.builds(filter, runtime: runtime)
    }

    /// Builds answered for a filter (shared with `GET /api/v2/builds`).
    static func builds(_ filter: BuildFilter, runtime: MasterRuntime) async throws -> Response {
        let page = runtime.runner.live(try await runtime.store.builds(filter.query))
        return APIJSON.response(["builds": page.map { API.build($0, stamp: nil, steps: nil) }])
    }

    private func steps(build: Int64, number: Int?) async throws -> Response {
        guard try await runtime.store.build(id: build) != nil else { return APIJSON.error(.notFound, "no build \(build)") }
        let all = try await runtime.store.steps(buildID: build)
        let list = number.map { n in all.filter { $0.number == n } } ?? all
        if let number, list.isEmpty { return APIJSON.error(.notFound, "build \(build) has no step \(number)") }
        return APIJSON.response(["steps": list.map { API.step($0, build: build) }])
    }

    /// The build and step a `stepid` or `logid` path parameter names; a non-number or a
    /// negative one is the same 400 as any other bad id.
    private static func step(_ context: MasterRequestContext, _ name: String) throws -> (Int64, Int) {
        let id = try context.parameters.require(name, as: Int64.self)
        guard let parts = StepID.parts(id) else { throw HTTPError(.badRequest, message: "\(name) must be a number of at least 0") }
        return parts
    }

    /// A step looked up: found, or the 404 to answer.
    private enum StepLookup {
        case found(BuildStep)
        case missing(Response)
    }

    /// The step, or a 404 answer when the build or the step does not exist.
    private func existingStep(build: Int64, step: Int) async throws -> StepLookup {
        guard try await runtime.store.build(id: build) != nil else { return .missing(APIJSON.error(.notFound, "no build \(build)")) }
        guard let s = try await runtime.store.steps(buildID: build).first(where: { $0.number == step }) else {
            return .missing(APIJSON.error(.notFound, "build \(build) has no step \(step)"))
        }
        return .found(s)
    }

    private func logs(build: Int64, step: Int, slug: String?) async throws -> Response {
        let found: BuildStep
        switch try await existingStep(build: build, step: step) {
        case .found(let s): found = s
        case .missing(let answer): return answer
        }
        if let slug, !Self.logSlugs.contains(slug) {
            return APIJSON.error(.notFound, "step \(step) of build \(build) has no log \(slug) (logs: stdio)")
        }
        // Counting lines reads the log once, chunk by chunk.
        var window = LogWindow(offset: 0, limit: 0)
        try await read(build: build, step: step) { window.feed($0); return true }
        window.finish()
        let id = StepID.of(build: build, step: step)
        let log = API.LogDTO(logid: id, stepid: id, name: "stdio", slug: "stdio", buildid: build, stepNumber: step,
                             complete: found.completedAt != nil, numLines: window.lineCount, type: "s")
        return APIJSON.response(["logs": [log]])
    }

    private func contents(_ request: Request, build: Int64, step: Int, slug: String) async throws -> Response {
        let q = request.apiQuery
        let offset = try q.integer("offset", in: 0...Int(Int32.max), default: 0)
        let limit = try q.integer("limit", in: 1...100_000, default: 1000)
        if case .missing(let answer) = try await existingStep(build: build, step: step) { return answer }
        guard Self.logSlugs.contains(slug) else {
            return APIJSON.error(.notFound, "step \(step) of build \(build) has no log \(slug) (logs: stdio)")
        }
        var window = LogWindow(offset: offset, limit: limit)
        try await read(build: build, step: step) { text in
            window.feed(text)
            return !window.isFull
        }
        window.finish()
        return APIJSON.response(["logchunks": [API.LogChunkDTO(firstline: offset, content: window.content)]])
    }

    /// The log as plain text without its ANSI escape sequences (and with a progress line's
    /// carriage returns resolved), streamed chunk by chunk like the raw log.
    private func plainText(build: Int64, step: Int, slug: String) async throws -> Response {
        if case .missing(let answer) = try await existingStep(build: build, step: step) { return answer }
        guard Self.logSlugs.contains(slug) else {
            return APIJSON.error(.notFound, "step \(step) of build \(build) has no log \(slug) (logs: stdio)")
        }
        let store = runtime.store
        let body = ResponseBody { writer in
            var converter = AnsiToHTML(plainText: true)
            var after: Int64 = 0
            while true {
                let chunks = try await store.readLog(buildID: build, step: step, afterChunk: after, limit: 64)
                if chunks.isEmpty { break }
                for chunk in chunks {
                    let lines = converter.feed(chunk.text)
                    if !lines.isEmpty { try await writer.write(ByteBuffer(string: lines.map { $0 + "\n" }.joined())) }
                    after = chunk.id
                }
            }
            if let last = converter.finish() { try await writer.write(ByteBuffer(string: last)) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: body)
    }

    /// Reads a step's log chunk by chunk until `more` says stop.
    private func read(build: Int64, step: Int, _ more: (String) -> Bool) async throws {
        var after: Int64 = 0
        while true {
            let chunks = try await runtime.store.readLog(buildID: build, step: step, afterChunk: after, limit: 64)
            if chunks.isEmpty { return }
            for chunk in chunks {
                if !more(chunk.text) { return }
                after = chunk.id
            }
        }
    }

    // MARK: requests, buildsets, changes, masters

    private func buildRequest(_ id: Int64) async throws -> Response {
        guard let r = try await runtime.store.request(id: id) else { return APIJSON.error(.notFound, "no build request \(id)") }
        let waiting = await runtime.distributor.waitingReasons()[id]
        let estimate = r.isPending ? try await ExpectedStarts.estimate(runtime)[id] : nil
        return APIJSON.response(["buildrequests": [API.request(r, waiting: waiting, estimate: estimate)]])
    }

    private func buildsets(_ request: Request) async throws -> Response {
        let q = request.apiQuery
        let limit = try q.integer("limit", in: 1...1000, default: 50)
        let complete = try q.bool("complete")
        // The store keeps requests, not a list of buildsets: the newest requests name them.
        let recent = try await runtime.store.requests(claimed: nil, complete: nil, limit: limit * 20)
        var seen = Set<Int64>()
        var answer: [API.BuildsetDTO] = []
        for r in recent where seen.insert(r.buildsetID).inserted {
            guard let set = try await runtime.store.buildset(id: r.buildsetID) else { continue }
            let dto = API.buildset(set, requests: try await runtime.store.requests(buildsetID: set.id))
            if let complete, dto.complete != complete { continue }
            answer.append(dto)
            if answer.count == limit { break }
        }
        return APIJSON.response(["buildsets": answer])
    }

    private func buildset(_ id: Int64) async throws -> Response {
        guard let set = try await runtime.store.buildset(id: id) else { return APIJSON.error(.notFound, "no buildset \(id)") }
        let requests = try await runtime.store.requests(buildsetID: id)
        return APIJSON.response(["buildsets": [API.buildset(set, requests: requests)]])
    }

    private func change(_ id: Int64) async throws -> Response {
        guard let c = try await runtime.store.change(id: id) else { return APIJSON.error(.notFound, "no change \(id)") }
        return APIJSON.response(["changes": [API.change(c)]])
    }

    /// Every master on the database (several masters: the `masters` table, with a warning
    /// when the active ones run different configurations), or this one alone; `only` picks
    /// one by id or name.
    private func masters(only: String?) async throws -> Response {
        var (list, warning) = try await Self.masters(runtime)
        if let only {
            list = list.filter { String($0.masterid) == only || $0.name == only }
            if list.isEmpty { return APIJSON.error(.notFound, "no master \(ClientText.quoted(only))") }
        }
        return APIJSON.response(API.MastersDTO(masters: list, warning: warning))
    }

    /// Every master on the database, and a warning when the active ones run different
    /// master.cfg files; the API and the masters page show the same.
    static func masters(_ runtime: MasterRuntime) async throws -> (list: [API.MasterDTO], warning: String?) {
        let list: [API.MasterDTO]
        if let shared = runtime.store as? any SharedStore {
            list = try await shared.masters().map { m in
                API.MasterDTO(masterid: m.id, name: m.name, active: m.isActive, lastActive: m.heartbeatAt,
                              configHash: m.configHash, generation: m.generation, leaseExpiresAt: m.leaseExpiresAt,
                              jobs: m.jobs, isThis: m.name == runtime.masterName)
            }
        } else {
            list = [API.MasterDTO(masterid: 1, name: runtime.masterName, active: true, lastActive: runtime.clock.now(),
                                  configHash: runtime.configHash, isThis: true)]
        }
        let hashes = Set(list.filter(\.active).compactMap(\.configHash))
        let warning = hashes.count > 1
            ? "the active masters run \(hashes.count) different master.cfg files (see config_hash); they should share one"
            : nil
        return (list, warning)
    }
}
