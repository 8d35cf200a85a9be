import Crypto
import HTTPTypes
import Foundation
import Hummingbird
import MinibotCore

/// `POST /change_hook/base` (record a change, Buildbot's form fields or the same keys in
/// JSON) and `POST /change_hook/poller` (poll a repository now).
///
/// When `www.change_hook.secret` is set, a request must carry it in `X-Minibot-Secret`, or
/// sign its body with it as `X-Minibot-Signature: sha256=HEX` (HMAC-SHA256); otherwise 403.
/// A request with missing or malformed fields gets 400 with a message and records nothing.
struct ChangeHookRoutes: Sendable {
    let runtime: MasterRuntime

    func register(on router: Router<BasicRequestContext>) {
        router.post("change_hook/base") { request, _ in try await base(request) }
        router.post("change_hook/poller") { request, _ in try await poller(request) }
    }

    private func base(_ request: Request) async throws -> Response {
        var request = request
        let body = Data(buffer: try await request.collectBody(upTo: 4 << 20))
        if let denied = checkSecret(request, body: body) { return denied }
        let fields: [String: HookValue]
        switch HookFields.parse(body: body, contentType: request.headers[.contentType]) {
        case .success(let f): fields = f
        case .failure(let message): return APIJSON.error(.badRequest, message)
        }
        switch HookFields.change(from: fields, now: runtime.clock.now()) {
        case .failure(let message):
            return APIJSON.error(.badRequest, message)
        case .success(let change):
            let recorded = try await runtime.changes.record(change)
            return APIJSON.response(["changes": [API.change(recorded)]])
        }
    }

    private func poller(_ request: Request) async throws -> Response {
        var request = request
        let body = Data(buffer: try await request.collectBody(upTo: 1 << 16))
        if let denied = checkSecret(request, body: body) { return denied }
        let fields: [String: HookValue]
        switch HookFields.parse(body: body, contentType: request.headers[.contentType]) {
        case .success(let f): fields = f
        case .failure(let message): return APIJSON.error(.badRequest, message)
        }
        var query: [String: HookValue] = [:]
        for (k, v) in request.uri.queryParameters { query[String(k)] = .one(String(v)) }
        let all = fields.merging(query) { a, _ in a }
        let name = all["poller"]?.first
        let repository = all["repository"]?.first
        guard name != nil || repository != nil else {
            return APIJSON.error(.badRequest, "say which poller to run: poller=NAME or repository=URL")
        }
        let polled = await runtime.pollers.pollNow(name: name, repository: repository)
        guard !polled.isEmpty else {
            return APIJSON.error(.notFound, "no git_poller named \(name ?? repository ?? "")")
        }
        // A failed poll is still a poll made: 200, with why it failed (the pusher's hook prints it).
        let failed = Dictionary(polled.compactMap { p in p.error.map { (p.name, $0) } }, uniquingKeysWith: { a, _ in a })
        return APIJSON.response(PollAnswer(polled: polled.map(\.name), errors: failed))
    }

    private func checkSecret(_ request: Request, body: Data) -> Response? {
        guard let secret = runtime.config.www.changeHookSecret, !secret.isEmpty else { return nil }
        if let given = request.headers[HTTPField.Name("X-Minibot-Secret")!], constantTimeEqual(given, secret) {
            return nil
        }
        if let signature = request.headers[HTTPField.Name("X-Minibot-Signature")!] {
            let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
            let hex = mac.map { String(format: "%02x", $0) }.joined()
            let given = signature.hasPrefix("sha256=") ? String(signature.dropFirst(7)) : signature
            if constantTimeEqual(given.lowercased(), hex) { return nil }
        }
        return APIJSON.error(.forbidden, "the change hook needs the shared secret (X-Minibot-Secret or X-Minibot-Signature)")
    }
}

/// Compares without an early exit, so timing does not reveal how much of a secret matched.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    var diff = UInt8(x.count == y.count ? 0 : 1)
    for i in 0..<max(x.count, y.count) {
        diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
    }
    return diff == 0
}

/// The answer to `POST /change_hook/poller`: the pollers polled, and why any of them failed.
private struct PollAnswer: Encodable {
    var polled: [String]
    var errors: [String: String]
}
