import Hummingbird

/// With `www.public: false`, every read needs a login: a page asks the browser to log in
/// (303 to `/login`), the API, `/metrics`, the event streams, badges and `cc.xml` answer 401
/// with a JSON reason unless they carry the admin token (`Authorization: Bearer TOKEN`) or a
/// session cookie. The login page and the stylesheet and script stay open; writes are
/// checked by their own routes. Worker connections (WebSocket upgrades) never reach the
/// HTTP router, and the change hook is a write.
struct ReadGateMiddleware: RouterMiddleware {
    let runtime: MasterRuntime

    func handle(_ request: Request, context: MasterRequestContext,
                next: (Request, MasterRequestContext) async throws -> Response) async throws -> Response {
        guard !runtime.config.www.isPublic, CrossSiteGuard.isSafe(method: request.method.rawValue) else {
            return try await next(request, context)
        }
        let path = request.uri.path
        if path == "/login" || path.hasPrefix("/static/") || runtime.isAdmin(request)
            || runtime.sessions.session(of: request, now: runtime.clock.now(), lifetime: runtime.config.www.sessionLifetime) != nil {
            return try await next(request, context)
        }
        if Self.isPage(path) {
            return WebActionRoutes.seeOther("/login?next=" + WebFormat.component(WebActionRoutes.localPath(request.uri.description) ?? "/"))
        }
        return APIJSON.error(.unauthorized, "this master is not public (www.public: false): log in, or send Authorization: Bearer TOKEN")
    }

    /// Whether `path` is one of the HTML pages (a browser is sent to the login page).
    static func isPage(_ path: String) -> Bool {
        !["/api", "/metrics", "/events", "/badges/", "/cc.xml"].contains { path.hasPrefix($0) }
    }
}
