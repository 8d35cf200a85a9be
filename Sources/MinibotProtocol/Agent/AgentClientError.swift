/// Why an `AgentClient` call failed: the agent refused (its contract error code, e.g.
/// `unknown_offer`, `stale_token`), could not be reached (`unreachable`), or did not answer in
/// time (`timeout`).
public struct AgentClientError: Error, CustomStringConvertible, Sendable, Equatable {
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func unreachable(_ path: String) -> AgentClientError {
        AgentClientError(code: "unreachable", message: "host agent at \(path) is not reachable")
    }
}
