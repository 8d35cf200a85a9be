import Foundation
import Hummingbird
import MinibotCore

/// What a logged-in person does from the pages: log in and out, force, stop, rebuild,
/// cancel, pause, flag and drain workers. Each is a plain form post
/// (`application/x-www-form-urlencoded`, no JavaScript needed) answered with 303 back to
/// the page it came from, where a notice says what happened.
///
/// Every post but the login needs a live session and that session's CSRF token in the
/// form's `csrf` field; without them nothing changes (403). Before any of this,
/// ``OriginMiddleware`` has refused a post from another site's page, and the session cookie
/// is `SameSite=Strict`, so such a page cannot even send it.
struct WebActionRoutes: Sendable {
    let runtime: MasterRuntime

    /// The most a form post may carry.
    static let maxBody = 64 * 1024

    func register(on router: Router<MasterRequestContext>) {
        router.get("login") { request, _ in
            loginPage(request, next: request.uri.queryParameters.get("next").flatMap(Self.localPath) ?? "/", problem: nil)
        }
        router.post("login") { request, context in try await login(request, context: context) }
        router.post("logout") { request, _ in
            try await act(request, back: "/", endsSession: true) { _, _ in nil }
        }
        router.post("actions/builders/:name/force") { request, context in
            let raw = try context.parameters.require("name")
            let name = raw.removingPercentEncoding ?? raw
            return try await act(request, back: WebFormat.builderLink(name)) { session, form in
                await force(name, form, by: session.user)
            }
        }
        router.post("actions/builds/:id/:action") { request, context in
            guard let id = context.parameters.get("id", as: Int64.self) else { return WebRoutes.notFound("no such build") }
            let action = context.parameters.get("action") ?? ""
            return try await act(request, back: WebFormat.buildLink(id)) { session, form in
                await buildAction(action, id, form, by: session.user)
            }
        }
        router.post("actions/buildrequests/:id/cancel") { request, context in
            guard let id = context.parameters.get("id", as: Int64.self) else { return WebRoutes.notFound("no such build request") }
            return try await act(request, back: "/pending") { session, form in
                let reason = form.text("reason").map { "\($0) (by \(session.user))" } ?? "cancelled by \(session.user)"
                return switch try await runtime.distributor.cancel(requestID: id, reason: reason) {
                case .cancelled: "Request \(id) cancelled."
                case .notFound: "There is no build request \(id)."
                case .started: "Request \(id) has started: stop its build instead."
                case .complete: "Request \(id) is already complete."
                }
            }
        }
        router.post("actions/workers") { request, _ in
            try await act(request, back: "/workers") { session, form in
                await workerAction(form, by: session.user)
            }
        }
    }

    // MARK: the login

    private func loginPage(_ request: Request, next: String, problem: String?, status: HTTPResponse.Status = .ok) -> Response {
        let cfg = runtime.config
        let model = LoginPage(next: next, problem: problem, hasUsers: !cfg.www.users.isEmpty)
        return WebRoutes.page("login", model, heading: "Log in", stream: "", request: request, runtime: runtime, status: status)
    }

    private func login(_ request: Request, context: MasterRequestContext) async throws -> Response {
        var request = request
        let form = WebForm(Data(buffer: try await request.collectBody(upTo: Self.maxBody)))
        let next = form["next"].flatMap(Self.localPath) ?? "/"
        let sessions = runtime.sessions
        let address = context.remoteAddress ?? "unknown"
        // An address that failed recently waits longer for each new try (bounded: 10 s).
        let now = runtime.clock.now()
        let wait = sessions.failedLogins.withLock { $0.delay(for: address, now: now) }
        if wait > 0 { try? await runtime.clock.sleep(until: now.addingTimeInterval(wait)) }
        let www = runtime.config.www
        let outcome = await WebLogin.check(name: form["user"] ?? "", password: form["password"] ?? "",
                                           adminToken: runtime.adminToken, users: www.users,
                                           verify: { await WebPassword.verify($0, hash: $1) })
        switch outcome {
        case .refused(let why):
            let at = runtime.clock.now()
            sessions.failedLogins.withLock { $0.failed(address, now: at) }
            return loginPage(request, next: next, problem: why, status: .unauthorized)
        case .user(let user):
            sessions.failedLogins.withLock { $0.succeeded(address) }
            let session = sessions.open(user: user, now: runtime.clock.now(), lifetime: www.sessionLifetime)
            sessions.note(session.id, "Logged in as \(user).")
            return Self.seeOther(next, cookie: WebSessions.setCookie(session.id, secure: WebSessions.isSecure(request),
                                                                     lifetime: www.sessionLifetime))
        }
    }

    // MARK: every other post

    /// Reads the form, checks the session and its CSRF token, runs `body` and goes back to
    /// the form's `back` page (or `back`) with the notice `body` returns; with `endsSession`
    /// (logging out) the session is closed and its cookie removed instead.
    private func act(_ request: Request, back fallback: String, endsSession: Bool = false,
                     _ body: (WebSession, WebForm) async throws -> String?) async throws -> Response {
        var request = request
        let bytes = try await request.collectBody(upTo: Self.maxBody)
        let form = WebForm(Data(buffer: bytes))
        let back = form["back"].flatMap(Self.localPath) ?? fallback
        let www = runtime.config.www
        guard let session = runtime.sessions.session(of: request, now: runtime.clock.now(), lifetime: www.sessionLifetime) else {
            return Self.seeOther("/login?next=" + WebFormat.component(back))
        }
        guard let token = form["csrf"], constantTimeEqual(token, session.csrf) else {
            return WebRoutes.html(Self.refusedPage, status: .forbidden)
        }
        let notice = try await body(session, form)
        guard !endsSession else {
            runtime.sessions.close(session.id)
            return Self.seeOther(back, cookie: WebSessions.setCookie(nil, secure: WebSessions.isSecure(request), lifetime: 0))
        }
        if let notice { runtime.sessions.note(session.id, notice) }
        return Self.seeOther(back)
    }

    static let refusedPage = """
        <!doctype html><title>Refused</title><p>This form was refused: it did not carry this session's \
        CSRF token (it came from an old page, a page from before you logged in again, or another \
        site). Nothing was changed. Reload the page you came from and submit it again. \
        <a href="/">Home</a></p>
        """

    // MARK: actions

    private func force(_ builder: String, _ form: WebForm, by user: String) async -> String {
        var fields: [String: JSONValue] = [:]
        for key in ["reason", "branch", "revision", "repository"] {
            if let value = form.text(key) { fields[key] = .string(value) }
        }
        if let priority = form.text("priority") {
            fields["priority"] = Int(priority).map { .number(Double($0)) } ?? .string(priority)
        }
        var properties: [String: JSONValue] = [:]
        for line in (form["properties"] ?? "").split(whereSeparator: \.isNewline) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                return "Nothing was forced: a property line is NAME=VALUE, not \(ClientText.quoted(text, limit: 60))."
            }
            properties[String(text[..<eq]).trimmingCharacters(in: .whitespaces)] =
                .string(String(text[text.index(after: eq)...]).trimmingCharacters(in: .whitespaces))
        }
        if !properties.isEmpty { fields["properties"] = .object(properties) }
        let body: ForceRequestBody
        switch ForceRequestBody.parse(JSONValue.object(fields).data) {
        case .success(let parsed): body = parsed
        case .failure(let problem): return "Nothing was forced: \(problem.message)."
        }
        switch await runtime.schedulers.force(builder: builder, body: body, owner: user) {
        case .success(let result):
            let ids = result.buildrequestids.map(String.init).joined(separator: ", ")
            return "Forced \(builder): request \(ids)."
        case .failure(let failure):
            return "Nothing was forced: \(failure.message)."
        }
    }

    private func buildAction(_ action: String, _ id: Int64, _ form: WebForm, by user: String) async -> String {
        switch action {
        case "stop":
            let reason = form.text("reason").map { "\($0) (by \(user))" } ?? "stopped by \(user)"
            return await runtime.runner.stop(buildID: id, reason: reason, retry: false)
                ? "Build \(id) stopped." : "Build \(id) is not running."
        case "rebuild":
            return switch await runtime.schedulers.rebuild(buildID: id, by: user) {
            case .success(let result): "Rebuild of build \(id) requested: request \(result.buildrequestids.map(String.init).joined(separator: ", "))."
            case .failure(let failure): "No rebuild: \(failure.message)."
            }
        default:
            return "Unknown build action \(ClientText.quoted(action, limit: 40)) (stop, rebuild)."
        }
    }

    /// Pause, unpause, flag, clear-flag, drain or undrain every ticked worker.
    private func workerAction(_ form: WebForm, by user: String) async -> String {
        let names = Array(Set(form.all("worker"))).sorted()
        guard !names.isEmpty else { return "Tick at least one worker." }
        let action = form["action"] ?? ""
        let reason = form.text("reason")
        let registry = runtime.registry
        var done: [String] = [], problems: [String] = []
        switch action {
        case "flag", "clear-flag":
            guard let plugin = runtime.plugins.plugin(named: "availability") else {
                return "Flags come from the availability plugin, which is not enabled: add `plugins: {availability: {}}` to master.cfg."
            }
            for name in names {
                var body: [String: JSONValue] = ["state": .string(form["state"] ?? "unavailable"), "by": .string(user)]
                if let reason { body["reason"] = .string(reason) }
                if let duration = form.text("for") { body["for"] = .string(duration) }
                let answer = await plugin.handle(PluginHTTPRequest(
                    method: action == "flag" ? "POST" : "DELETE", path: "workers/" + WebFormat.component(name), query: [:],
                    body: action == "flag" ? JSONValue.object(body).data : Data(), isAdmin: true))
                if answer.status < 300 { done.append(name) } else { problems.append("\(name): \(answer.body["error"]?.stringValue ?? "refused")") }
            }
        case "pause", "unpause", "drain", "undrain":
            var deadline: Date?
            if action == "drain", let text = form.text("deadline") {
                guard let seconds = DurationText.seconds(text), DurationText.isValid(seconds), seconds > 0 else {
                    return "Nothing was drained: the deadline is a duration such as 30m or 2h, not \(ClientText.quoted(text, limit: 40))."
                }
                deadline = runtime.clock.now().addingTimeInterval(seconds)
            }
            for name in names {
                let ok: Bool = switch action {
                case "pause": await registry.setPaused(name, paused: true, reason: reason.map { "\($0) (by \(user))" } ?? "by \(user)")
                case "unpause": await registry.setPaused(name, paused: false, reason: nil)
                case "drain": await registry.setDrain(name, WorkerDrain(deadline: deadline, requestedAt: runtime.clock.now(),
                                                                        requestedBy: user))
                default: await registry.setDrain(name, nil)
                }
                if ok { done.append(name) } else { problems.append("\(name): no such worker") }
            }
        default:
            return "Unknown worker action \(ClientText.quoted(action, limit: 40)) (pause, unpause, flag, clear-flag, drain, undrain)."
        }
        let verb = ["pause": "Paused", "unpause": "Unpaused", "flag": "Flagged", "clear-flag": "Cleared the flag of",
                    "drain": "Draining", "undrain": "Stopped draining"][action] ?? action
        var notice = done.isEmpty ? "" : "\(verb) \(done.joined(separator: ", "))."
        if !problems.isEmpty { notice += (notice.isEmpty ? "" : " ") + "Not done: " + problems.joined(separator: "; ") + "." }
        return notice
    }

    // MARK: helpers

    /// `path` when it is a path on this site (`/builds/3?x#L2`), so that a crafted `next` or
    /// `back` cannot send the browser elsewhere (`//evil`, `https://…`, `/\evil`).
    static func localPath(_ path: String) -> String? {
        guard path.hasPrefix("/"), !path.hasPrefix("//"), path.utf8.count <= 1000,
              !path.contains("\\"), !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        return path
    }

    static func seeOther(_ location: String, cookie: String? = nil) -> Response {
        var headers: HTTPFields = [.location: location]
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }
}
