import AsyncHTTPClient
import Foundation
import MinibotCore
import NIOCore
import NIOHTTP1

/// A small client of a master's REST API, for the CLI, the benchmark and the tests.
///
/// Every call is one HTTP request; answers are decoded as ``JSONValue``. Failures are
/// ``ClientError``s that tell a connection problem (exit code 2 in the CLI) from an
/// answer the master gave (its `error` message).
public struct MinibotClient: Sendable {
    public let baseURL: String
    public let token: String?

    public init(baseURL: String, token: String? = nil) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.token = token
    }

    /// GET a JSON document, e.g. `api/v2/builds?limit=5`.
    public func get(_ path: String) async throws(ClientError) -> JSONValue {
        try await send("GET", path, body: nil).json
    }

    /// GET plain text (a raw log).
    public func getText(_ path: String) async throws(ClientError) -> String {
        try await send("GET", path, body: nil).text
    }

    /// POST a JSON body (or none).
    @discardableResult
    public func post(_ path: String, _ body: JSONValue? = nil) async throws(ClientError) -> JSONValue {
        let data = body.map { (try? JSONEncoder().encode($0)) ?? Data() }
        return try await send("POST", path, body: data, contentType: "application/json").json
    }

    /// POST a form (`application/x-www-form-urlencoded`), as the change hook takes it.
    ///
    /// It carries `X-Minibot-Event: change`: a master's change hook without a secret takes a
    /// form only with that header, which a web page cannot add to a cross-site post.
    @discardableResult
    public func postForm(_ path: String, _ fields: [(String, String)], headers: [(String, String)] = []) async throws(ClientError) -> JSONValue {
        var headers = headers
        if !headers.contains(where: { $0.0.lowercased() == "x-minibot-event" }) { headers.append(("X-Minibot-Event", "change")) }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = fields.map { k, v in
            "\(k.addingPercentEncoding(withAllowedCharacters: allowed) ?? k)=\(v.addingPercentEncoding(withAllowedCharacters: allowed) ?? v)"
        }.joined(separator: "&")
        return try await send("POST", path, body: Data(body.utf8), contentType: "application/x-www-form-urlencoded",
                              headers: headers).json
    }

    /// An HTTP answer.
    public struct Answer: Sendable {
        public var status: Int
        public var body: Data
        /// The response's headers, names lowercased (e.g. `retry-after`).
        public var headers: [String: String] = [:]

        public var text: String { String(decoding: body, as: UTF8.self) }
        public var json: JSONValue { (try? JSONDecoder().decode(JSONValue.self, from: body)) ?? .string(text) }
    }

    /// Sends a request; a non-2xx answer throws ``ClientError/http(status:message:)``.
    public func send(_ method: String, _ path: String, body: Data?, contentType: String = "application/json",
                     headers: [(String, String)] = []) async throws(ClientError) -> Answer {
        let answer = try await sendRaw(method, path, body: body, contentType: contentType, headers: headers)
        guard (200..<300).contains(answer.status) else {
            let message = answer.json["error"]?.stringValue ?? answer.text
            throw .http(status: answer.status, message: message)
        }
        return answer
    }

    /// Sends a request and returns whatever the master answered.
    public func sendRaw(_ method: String, _ path: String, body: Data?, contentType: String = "application/json",
                        headers: [(String, String)] = []) async throws(ClientError) -> Answer {
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        var request = HTTPClientRequest(url: "\(baseURL)/\(trimmed)")
        request.method = HTTPMethod(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            var collected = try await response.body.collect(upTo: 256 << 20)
            let bytes = collected.readBytes(length: collected.readableBytes) ?? []
            var headers: [String: String] = [:]
            for header in response.headers { headers[header.name.lowercased()] = header.value }
            return Answer(status: Int(response.status.code), body: Data(bytes), headers: headers)
        } catch {
            throw .connection("cannot reach the master at \(baseURL): \(error)")
        }
    }
}

/// Why a call to the master failed.
public enum ClientError: Error, CustomStringConvertible, Sendable {
    /// The master could not be reached (not running, wrong URL).
    case connection(String)
    /// The master answered with an error status and message.
    case http(status: Int, message: String)

    public var description: String {
        switch self {
        case .connection(let m): m
        case .http(let status, let message): "the master answered \(status): \(message)"
        }
    }
}
