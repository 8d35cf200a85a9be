import Foundation
import Hummingbird
import MinibotCore

/// JSON in and out of the HTTP API: snake_case keys, timestamps as epoch seconds with
/// fractions (Buildbot's whole seconds are too coarse for a fast CI).
enum APIJSON {
    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .secondsSince1970
        e.outputFormatting = [.sortedKeys]
        return e
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.dateDecodingStrategy = .secondsSince1970
        return d
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        do {
            let data = try encoder().encode(value)
            return raw(data, status: status)
        } catch {
            return self.error(.internalServerError, "could not encode the response: \(error)")
        }
    }

    static func raw(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        response(["error": message], status: status)
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

extension JSONValue {
    /// Encodes through JSONEncoder so that the value nests inside API responses.
    var data: Data { (try? JSONEncoder().encode(self)) ?? Data("null".utf8) }
}
