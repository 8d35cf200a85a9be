import Foundation
import Hummingbird
import MinibotCore
import MinibotStore
import Mustache

/// The web UI: server-rendered pages (home, builder, build, pending, workers, a worker, hosts,
/// masters, changes), the stylesheet and script, build badges and the CCTray feed. Every page
/// is whole without JavaScript; the script only adds live updates from `/events`
/// (``EventStreamRoutes``). Logging in and the forms' posts are ``WebActionRoutes``.
///
/// Routes gather values from the runtime, build a view model (pure, unit-tested) and render
/// it with ``WebTemplates``. A WebSocket upgrade of `GET /` never reaches here (it is the
/// stock worker's endpoint, on the WebSocket router).
struct WebRoutes: Sendable {
    let runtime: MasterRuntime

    func register(on router: Router<MasterRequestContext>) {
        router.get("/") { request, _ in try await home(request) }
        router.get("builders/:name") { request, context in
            let raw = try context.parameters.require("name")
            return try await builder(raw.removingPercentEncoding ?? raw, page: request.apiQuery.integer("page", in: 0...400, default: 0),
                                     request)
        }
        router.get("builds/:id") { request, context in
            guard let id = context.parameters.get("id", as: Int64.self) else { return Self.notFound("no such build") }
            return try await build(id, request)
        }
        router.get("pending") { request, _ in try await pending(request) }
        router.get("workers") { request, _ in await workers(request) }
        router.get("workers/:name") { request, context in
            let raw = try context.parameters.require("name")
            return try await worker(raw.removingPercentEncoding ?? raw, request)
        }
        router.get("workers/:name/week.svg") { _, context in
            let raw = try context.parameters.require("name")
            return await recordedWeek(raw.removingPercentEncoding ?? raw)
        }
        router.get("hosts") { request, _ in try await hosts(request) }
        router.get("masters") { request, _ in
            let (list, warning) = try await BrowseRoutes.masters(runtime)
            return page("masters", MastersPage.make(title: runtime.config.title, masters: list, warning: warning),
                        heading: "Masters", stream: "", request)
        }
        router.get("changes") { request, _ in
            let model = ChangesPage.make(title: runtime.config.title, changes: try await runtime.store.changes(limit: 100))
            return page("changes", model, heading: "Changes", stream: "", request)
        }
        router.get("static/minibot.css") { _, _ in
            Self.asset(WebAssets.css, type: "text/css; charset=utf-8")
        }
        router.get("static/minibot.js") { _, _ in
            Self.asset(WebAssets.javascript, type: "text/javascript; charset=utf-8")
        }
        router.get("badges/:file") { _, context in try await badge(context.parameters.require("file")) }
        router.get("cc.xml") { request, _ in
            let builds = try await runtime.store.builds(builder: nil, limit: 500)
            // The links use the address the client used, as the monitor reaches the master by it.
            let host = request.head.authority ?? "\(runtime.config.www.bind):\(runtime.config.www.port)"
            let feed = CCTrayFeed.make(builders: runtime.config.builders.map(\.name), builds: runtime.runner.live(builds),
                                       baseURL: "http://" + host)
            return Response(status: .ok, headers: [.contentType: "application/xml; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: feed.xml)))
        }
    }

    // MARK: pages

    private func home(_ request: Request) async throws -> Response {
        let cfg = runtime.config
        let builds = runtime.runner.live(try await runtime.store.builds(builder: nil, limit: 500))
        let waiting = await runtime.distributor.waitingReasons()
        let pendingList = try await runtime.store.pendingRequests()
        var pending: [String: [[WaitingReason]]] = [:]
        for r in pendingList { pending[r.builderName, default: []].append(waiting[r.id] ?? []) }
        let model = HomePage.make(title: cfg.title, builders: cfg.builders.map(\.name), builds: builds, pending: pending,
                                  workers: await runtime.registry.states(), now: runtime.clock.now())
        return page("home", model, heading: "Home", stream: "page=home", request)
    }

    private func builder(_ name: String, page number: Int, _ request: Request) async throws -> Response {
        let cfg = runtime.config
        guard let spec = cfg.builders.first(where: { $0.name == name }) else { return Self.notFound("no builder named \(name)") }
        let size = BuilderPage.pageSize
        let builds = runtime.runner.live(try await runtime.store.builds(builder: name, limit: (number + 1) * size + 1))
        let requests = try await runtime.store.pendingRequests().filter { $0.builderName == name }
        let pending = PendingPage.make(title: cfg.title, requests: requests, waiting: await runtime.distributor.waitingReasons(),
                                       now: runtime.clock.now())
        let model = BuilderPage.make(title: cfg.title, builder: spec, builds: Array(builds.dropFirst(number * size)),
                                     page: number, pending: pending, now: runtime.clock.now())
        return page("builder", model, heading: name, stream: "builder=" + WebFormat.component(name), request)
    }

    private func build(_ id: Int64, _ request: Request) async throws -> Response {
        let store = runtime.store
        guard let stored = try await store.build(id: id) else { return Self.notFound("no build \(id)") }
        let b = runtime.runner.live([stored])[0]
        let steps = try await store.steps(buildID: id)
        var logs: [Int: LogTail] = [:]
        for s in steps where s.startedAt != nil {
            if s.completedAt != nil, let cached = runtime.logTails.tail(build: id, step: s.number) {
                logs[s.number] = cached
                continue
            }
            var tail = LogTail(keep: BuildPage.inlineLines)
            var after: Int64 = 0
            while true {
                let chunks = try await store.readLog(buildID: id, step: s.number, afterChunk: after, limit: 64)
                if chunks.isEmpty { break }
                for c in chunks { tail.feed(c.text); after = c.id }
            }
            // A running step's last line may still grow: the live stream sends it once whole.
            if s.completedAt != nil {
                tail.finish()
                tail.freeze()
                runtime.logTails.keep(tail, build: id, step: s.number)
            }
            logs[s.number] = tail
        }
        let buildRequest = try await store.request(id: b.buildRequestID)
        var changes: [Change] = []
        if let buildRequest, let set = try await store.buildset(id: buildRequest.buildsetID) {
            // A buildset names a handful of changes (a tree-stable batch), not thousands.
            for id in set.changeIDs.prefix(50) {
                if let c = try await store.change(id: id) { changes.append(c) }
            }
        }
        let model = BuildPage.make(title: runtime.config.title, build: b, steps: steps, request: buildRequest, changes: changes,
                                   logs: logs, now: runtime.clock.now())
        return page("build", model, heading: "\(b.builderName) #\(b.number)", stream: "build=\(id)", request)
    }

    private func pending(_ request: Request) async throws -> Response {
        let model = PendingPage.make(title: runtime.config.title, requests: try await runtime.store.pendingRequests(),
                                     waiting: await runtime.distributor.waitingReasons(),
                                     estimates: try await ExpectedStarts.estimate(runtime), now: runtime.clock.now())
        return page("pending", model, heading: "Pending", stream: "page=pending", request)
    }

    private func workers(_ request: Request) async -> Response {
        let states = await runtime.registry.states()
        var notes: [String: [String]] = [:]
        for w in states {
            for p in runtime.plugins.all {
                if let summary = await p.plugin.workerSummary(w.name) { notes[w.name, default: []].append(WorkersPage.pluginLine(p.name, summary)) }
            }
        }
        let model = WorkersPage.make(title: runtime.config.title, workers: states, plugins: notes, now: runtime.clock.now())
        return page("workers", model, heading: "Workers", stream: "page=workers", request)
    }

    // MARK: badges

    private func badge(_ file: String) async throws -> Response {
        guard file.hasSuffix(".svg") else { return Self.notFound("badges are BUILDER.svg") }
        let name = String(file.dropLast(4))
        guard runtime.config.builders.contains(where: { $0.name == name }) else { return Self.notFound("no builder named \(name)") }
        let last = try await runtime.store.builds(builder: name, limit: 50).first(where: \.isComplete)
        let svg = Badge(label: name, result: last?.results).svg
        return Response(status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: svg)))
    }

    // MARK: rendering

    /// The layout around a page: what the template needs besides the page.
    struct Layout {
        var title: String
        var heading: String
        var stream: String
        var body: String
    }

    func page(_ template: String, _ model: Any, heading: String, stream: String, _ request: Request) -> Response {
        Self.page(template, model, heading: heading, stream: stream, request: request, runtime: runtime)
    }

    /// Renders a page inside the layout for whoever asks (logged in or not); a notice left by
    /// their last action is shown once.
    static func page(_ template: String, _ model: Any, heading: String, stream: String, request: Request,
                     runtime: MasterRuntime, status: HTTPResponse.Status = .ok) -> Response {
        let sessions = runtime.sessions
        let session = sessions.session(of: request, now: runtime.clock.now(), lifetime: runtime.config.www.sessionLifetime)
        let context = PageContext(page: model, session: session.map { .init(user: $0.user, csrf: $0.csrf) },
                                  notice: session.flatMap { sessions.takeNotice($0.id) },
                                  back: WebActionRoutes.localPath(request.uri.description) ?? "/")
        let body = WebTemplates.library.render(context, withTemplate: template) ?? ""
        let layout = Layout(title: runtime.config.title, heading: heading, stream: stream, body: body)
        let text = WebTemplates.library.render(PageContext(page: layout, session: context.session, notice: context.notice,
                                                           back: context.back),
                                               withTemplate: "layout") ?? ""
        return html(text, status: status)
    }

    static func html(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8",
                                           .contentSecurityPolicy: "default-src 'self'; style-src 'self'; script-src 'self'"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    static func notFound(_ message: String) -> Response {
        html("<!doctype html><title>Not found</title><p>\(WebFormat.escape(message)). <a href=\"/\">Home</a></p>", status: .notFound)
    }

    private static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "max-age=300"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
