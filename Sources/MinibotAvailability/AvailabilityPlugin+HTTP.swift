import Foundation
import MinibotCore

extension AvailabilityPlugin {
    /// Routes under `/api/v2/plugins/availability/`:
    /// - `GET workers`: `{"workers": [{"name": ..., <availability>}]}`
    /// - `GET workers/NAME`: `{"name": ..., <availability>}` (see ``Availability/json``)
    /// - `POST workers/NAME` (admin): sets a flag; body as in `FlagRequest`, e.g.
    ///   `{"state":"unavailable","reason":"disk swap","for":"2h","by":"anna"}`
    /// - `DELETE workers/NAME` (admin): clears the run-time flag (back to `master.cfg`).
    public func handle(_ request: PluginHTTPRequest) async -> PluginHTTPResponse {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard parts.first == "workers", parts.count <= 2 else {
            return .error(404, "no such route: \(request.method) \(request.path); try GET workers or POST workers/NAME")
        }
        let method = request.method.uppercased()
        guard parts.count == 2 else {
            guard method == "GET" else { return .error(405, "\(method) workers is not supported; use GET") }
            let rows = allAvailability().map { Self.named($0.worker, $0.availability.json) }
            return PluginHTTPResponse(body: .object(["workers": .array(rows)]))
        }
        let worker = parts[1].removingPercentEncoding ?? parts[1]
        let known = state.withLock { $0.order }
        guard known.contains(worker) else {
            return .error(404, "unknown worker '\(worker)'" + (Suggestions.closest(to: worker, among: known).map { "; did you mean '\($0)'?" } ?? ""))
        }
        switch method {
        case "GET":
            guard let availability = availability(of: worker) else { return .error(404, "unknown worker '\(worker)'") }
            return PluginHTTPResponse(body: Self.named(worker, availability.json))
        case "POST", "DELETE":
            guard request.isAdmin else {
                return .error(401, "changing availability needs the admin token: pass --token or set MINIBOT_TOKEN")
            }
            if method == "DELETE" {
                await setFlag(nil, for: worker)
            } else {
                let body: JSONValue
                do {
                    body = try JSONDecoder().decode(JSONValue.self, from: request.body)
                } catch {
                    return .error(400, "the body is not valid JSON; send an object such as \(FlagRequest.example)")
                }
                let now = context.now()
                let zone = state.withLock { $0.displayZone }
                do {
                    let flag = try FlagRequest.parse(body, now: now, zone: zone, defaultBy: "api")
                    await setFlag(flag, for: worker)
                } catch {
                    return .error(400, error.message)
                }
            }
            guard let availability = availability(of: worker) else { return .error(404, "unknown worker '\(worker)'") }
            return PluginHTTPResponse(body: Self.named(worker, availability.json))
        default:
            return .error(405, "\(method) workers/\(worker) is not supported; use GET, POST or DELETE")
        }
    }

    static func named(_ worker: String, _ json: JSONValue) -> JSONValue {
        guard case .object(var object) = json else { return json }
        object["name"] = .string(worker)
        return .object(object)
    }
}
