import Hummingbird

/// Refuses (403, JSON reason) every state-changing request whose `Origin` is another site's,
/// before any route sees it: see ``CrossSiteGuard``.
struct OriginMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        if !CrossSiteGuard.isSafe(method: request.method.rawValue),
           let refusal = CrossSiteGuard.originRefusal(origin: request.headers[.origin],
                                                      host: request.head.authority) {
            return APIJSON.error(.forbidden, refusal)
        }
        return try await next(request, context)
    }
}
