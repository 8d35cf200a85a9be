import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What a browser does with the master's pages, as far as the login and the forms go: it
/// keeps the session cookie, posts forms as `application/x-www-form-urlencoded` with its
/// `Origin`, and does not follow redirects (so a test sees each 303 and its `Set-Cookie`).
final class Browser: @unchecked Sendable {
    struct Page {
        var status: Int
        var text: String
        var headers: HTTPHeaders

        var location: String? { headers["Location"].first }
        var setCookie: String? { headers["Set-Cookie"].first }

        /// The CSRF token the page's forms carry, if any.
        var csrf: String? {
            guard let range = text.range(of: "name=\"csrf\" value=\"") else { return nil }
            return String(text[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    let base: String
    private(set) var cookie: String?
    private let client: HTTPClient

    init(base: String) {
        self.base = base
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async { try? await client.shutdown() }

    func get(_ path: String) async throws -> Page {
        try await send("GET", path, body: nil, origin: nil)
    }

    /// Posts `fields` as a form, from this master's own origin unless told otherwise.
    func post(_ path: String, _ fields: [(String, String)], origin: String? = "") async throws -> Page {
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send("POST", path, body: body, origin: origin == "" ? base : origin)
    }

    private func send(_ method: String, _ path: String, body: String?, origin: String?) async throws -> Page {
        var request = HTTPClientRequest(url: base + path)
        request.method = HTTPMethod(rawValue: method)
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        if let origin { request.headers.add(name: "Origin", value: origin) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let page = Page(status: Int(response.status.code), text: String(buffer: bytes), headers: response.headers)
        if let set = page.setCookie, let pair = set.split(separator: ";").first {
            cookie = pair.hasSuffix("=") ? nil : String(pair)
        }
        return page
    }

    private static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
