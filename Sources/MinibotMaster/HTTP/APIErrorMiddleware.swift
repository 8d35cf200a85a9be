import Hummingbird

/// Gives every error under `/api/v2` a JSON body `{"error": "..."}`: an unknown path (the
/// router's 404), a path parameter that is not a number (Hummingbird's 400), a
/// ``BadQuery``. Pages and the change hook keep their own answers.
///
/// Added to the router before any route, so it also wraps the router's not-found responder.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path == "/api/v2" || path.hasPrefix("/api/v2/") else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch let error as BadQuery {
            return APIJSON.error(.badRequest, error.message)
        } catch let error as HTTPError {
            let message: String
            switch error.status {
            case .notFound: message = "no such API path: \(request.method.rawValue) \(path)"
            case .badRequest: message = error.body ?? "bad request: a path parameter is not what it should be (a number?)"
            default: message = error.body ?? error.status.reasonPhrase
            }
            return APIJSON.error(error.status, message)
        }
    }
}
