import Foundation

/// A request to `/api/v2/plugins/NAME/...`, as the master hands it to the plugin.
public struct PluginHTTPRequest: Sendable {
    public var method: String
    /// The path after `/api/v2/plugins/NAME/`, without a leading slash.
    public var path: String
    public var query: [String: String]
    public var body: Data
    /// Whether the request carried a valid admin token (writes require it).
    public var isAdmin: Bool

    public init(method: String, path: String, query: [String: String] = [:], body: Data = Data(), isAdmin: Bool) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.isAdmin = isAdmin
    }
}

/// A plugin's JSON answer.
public struct PluginHTTPResponse: Sendable {
    public var status: Int
    public var body: JSONValue

    public init(status: Int = 200, body: JSONValue) {
        self.status = status
        self.body = body
    }

    /// `{"error": message}` with the status.
    public static func error(_ status: Int, _ message: String) -> PluginHTTPResponse {
        PluginHTTPResponse(status: status, body: .object(["error": .string(message)]))
    }
}
