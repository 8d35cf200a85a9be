import Crypto
import HTTPTypes
import Foundation
import Hummingbird
import MinibotCore
import Synchronization

/// `POST /change_hook/base` (record a change, Buildbot's form fields or the same keys in
/// JSON) and `POST /change_hook/poller` (poll a repository now).
///
/// Who may call it:
/// - with a secret (`www.change_hook.secret`, or `DIR/change_hook.secret`), a request must
///   carry it in `X-Minibot-Secret`, or be signed: `X-Minibot-Timestamp: EPOCH_SECONDS` and
///   `X-Minibot-Signature: sha256=HEX`, the HMAC-SHA256 of `TIMESTAMP.BODY` with the secret.
///   A signature older (or newer) than 5 minutes, or already received, is refused
///   (``ReplayGuard``); otherwise 403;
/// - without one, only this machine may, with a JSON body or an `X-Minibot-Event` header
///   (``CrossSiteGuard``): no web page can send that without the master's consent; else 403.
/// A request with missing or malformed fields gets 400 with a message and records nothing.
final class ChangeHookRoutes: Sendable {
    let runtime: MasterRuntime
    private let replays = Mutex(ReplayGuard())

    init(runtime: MasterRuntime) {
        self.runtime = runtime
    }

    func register(on router: Router<MasterRequestContext>) {
        router.post("change_hook/base") { request, context in try await self.base(request, context) }
        router.post("change_hook/poller") { request, context in try await self.poller(request, context) }
    }

    private func base(_ request: Request, _ context: MasterRequestContext) async throws -> Response {
        var request = request
        let body = Data(buffer: try await request.collectBody(upTo: 4 << 20))
        if let denied = admit(request, context, body: body) { return denied }
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

    private func poller(_ request: Request, _ context: MasterRequestContext) async throws -> Response {
        var request = request
        let body = Data(buffer: try await request.collectBody(upTo: 1 << 16))
        if let denied = admit(request, context, body: body) { return denied }
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

    /// 403 with why, or nil when the request may proceed (see the type's documentation).
    private func admit(_ request: Request, _ context: MasterRequestContext, body: Data) -> Response? {
        guard let secret = runtime.changeHookSecret() else {
            let refusal = CrossSiteGuard.unsignedHookRefusal(
                remoteAddress: context.remoteAddress, host: request.head.authority,
                contentType: request.headers[.contentType],
                hasEventHeader: request.headers[HTTPField.Name(CrossSiteGuard.eventHeader)!] != nil)
            return refusal.map { APIJSON.error(.forbidden, $0) }
        }
        if let given = request.headers[HTTPField.Name("X-Minibot-Secret")!], constantTimeEqual(given, secret) {
            return nil
        }
        guard let signature = request.headers[HTTPField.Name("X-Minibot-Signature")!] else {
            return APIJSON.error(.forbidden, "the change hook needs the shared secret (X-Minibot-Secret, or "
                + "X-Minibot-Timestamp and X-Minibot-Signature)")
        }
        guard let stamp = request.headers[HTTPField.Name("X-Minibot-Timestamp")!],
              let seconds = Double(stamp.trimmingCharacters(in: .whitespaces)), seconds.isFinite else {
            return APIJSON.error(.forbidden, "a signed request needs X-Minibot-Timestamp (epoch seconds), "
                + "and the signature covers TIMESTAMP.BODY")
        }
        let given = (signature.hasPrefix("sha256=") ? String(signature.dropFirst(7)) : signature).lowercased()
        guard constantTimeEqual(given, Self.signature(of: body, timestamp: stamp, secret: secret)) else {
            return APIJSON.error(.forbidden, "the signature does not match (HMAC-SHA256 of TIMESTAMP.BODY with the secret)")
        }
        let now = runtime.clock.now()
        let replay = replays.withLock {
            $0.admit(signature: given, timestamp: Date(timeIntervalSince1970: seconds), now: now)
        }
        return replay.map { APIJSON.error(.forbidden, $0) }
    }

    /// The hex HMAC-SHA256 of `TIMESTAMP.BODY` with `secret`: what a signed request sends.
    static func signature(of body: Data, timestamp: String, secret: String) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}

/// The answer to `POST /change_hook/poller`: the pollers polled, and why any of them failed.
private struct PollAnswer: Encodable {
    var polled: [String]
    var errors: [String: String]
}
