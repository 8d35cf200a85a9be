import Foundation

/// The body of the API's actions on one build, request or worker (stop, cancel, pause,
/// unpause, stop and kill of a worker), read and checked in one place.
///
/// ```json
/// {"reason": "wrong branch"}
/// {"reason": "flaky network", "results": "RETRY"}
/// ```
/// An empty body is no reason. A body that is not such an object is refused, never taken for
/// "no body": a stop whose caller asked for a RETRY with a typo must not cancel the build.
/// `results` is allowed only where the action takes it (a build stop), as Buildbot's name
/// (`RETRY`) or code (5).
public struct BuildActionBody: Equatable, Sendable {
    /// A result written as its name or its code.
    public enum Results: Equatable, Sendable {
        case result(BuildResult)
        /// Neither a known name nor a known code (shown back to the client).
        case invalid(String)
    }

    public var reason: String?
    public var results: Results?

    public init(reason: String? = nil, results: Results? = nil) {
        self.reason = reason
        self.results = results
    }

    /// The body, or why it cannot be taken; `example` shows the expected shape in the refusal.
    public static func parse(_ data: Data, allowsResults: Bool) -> Result<BuildActionBody, RequestBodyProblem> {
        if data.isEmpty { return .success(BuildActionBody()) }
        let example = allowsResults ? #"{"reason": "...", "results": "RETRY"}"# : #"{"reason": "..."}"#
        guard case .object(let fields)? = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            return .failure(RequestBodyProblem("the body must be JSON like \(example)"))
        }
        let keys = allowsResults ? ["reason", "results"] : ["reason"]
        if let unknown = fields.keys.sorted().first(where: { !keys.contains($0) }) {
            let hint = Suggestions.closest(to: unknown, among: keys).map { "; did you mean '\($0)'?" } ?? ""
            return .failure(RequestBodyProblem("unknown field \(ClientText.quoted(unknown))\(hint); the body must be JSON like \(example)"))
        }
        var body = BuildActionBody()
        switch fields["reason"] {
        case nil, .null?: break
        case .string(let text)?: body.reason = text
        default: return .failure(RequestBodyProblem("'reason' must be a string; the body must be JSON like \(example)"))
        }
        switch fields["results"] {
        case nil, .null?: break
        case .string(let name)?:
            body.results = BuildResult.allCases.first { $0.name == name.uppercased() }.map(Results.result)
                ?? .invalid(ClientText.quoted(name))
        case let value?:
            guard let code = value.integer(in: Int.min...Int.max) else {
                return .failure(RequestBodyProblem("'results' must be a result name such as RETRY or its code"))
            }
            body.results = BuildResult(rawValue: code).map(Results.result) ?? .invalid(String(code))
        }
        return .success(body)
    }
}
