import Hummingbird

/// Counts every HTTP answer by route (the router's path pattern, e.g. `/api/v2/builds/{id}`,
/// so ids do not make a series each) and status.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: MasterMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            metrics.httpRequest(route: route(context), status: Int(response.status.code))
            return response
        } catch let error as HTTPError {
            metrics.httpRequest(route: route(context), status: Int(error.status.code))
            throw error
        } catch {
            metrics.httpRequest(route: route(context), status: 500)
            throw error
        }
    }

    private func route(_ context: Context) -> String {
        context.endpointPath ?? "unknown"
    }
}
