import Foundation

/// The body of the API's actions on one build, request or worker (stop, cancel, pause,
/// unpause, stop and kill of a worker, drain), read and checked in one place.
///
/// ```json
/// {"reason": "wrong branch"}
/// {"reason": "flaky network", "results": "RETRY"}
/// {"deadline": "30m", "by": "anna"}
/// ```
/// An empty body is no field. A body that is not such an object, or names a field the action
/// does not take, is refused, never taken for "no body": a stop whose caller asked for a
/// RETRY with a typo must not cancel the build. `results` (a build stop) is Buildbot's name
/// (`RETRY`) or code (5); `deadline` (a drain) is a duration checked by ``DurationText``;
/// `by` (a drain) is who asks, cut to 100 characters.
public struct BuildActionBody: Equatable, Sendable {
    /// A field an action may take.
    public enum Field: String, Sendable, CaseIterable {
        case reason, results, deadline, by
    }

    /// A result written as its name or its code.
    public enum Results: Equatable, Sendable {
        case result(BuildResult)
        /// Neither a known name nor a known code (shown back to the client).
        case invalid(String)
    }

    public var reason: String?
    public var results: Results?
    /// Seconds, within ``DurationText``'s bounds.
    public var deadline: Double?
    public var by: String?

    public init(reason: String? = nil, results: Results? = nil, deadline: Double? = nil, by: String? = nil) {
        self.reason = reason
        self.results = results
        self.deadline = deadline
        self.by = by
    }

    /// The body, or why it cannot be taken by an action that accepts `fields`.
    public static func parse(_ data: Data, accepting fields: [Field]) -> Result<BuildActionBody, RequestBodyProblem> {
        if data.isEmpty { return .success(BuildActionBody()) }
        let example = "{" + fields.map { field in
            switch field {
            case .reason: #""reason": "...""#
            case .results: #""results": "RETRY""#
            case .deadline: #""deadline": "30m""#
            case .by: #""by": "anna""#
            }
        }.joined(separator: ", ") + "}"
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            return .failure(RequestBodyProblem("the body must be JSON like \(example)"))
        }
        let keys = fields.map(\.rawValue)
        if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
            let hint = Suggestions.closest(to: unknown, among: keys).map { "; did you mean '\($0)'?" } ?? ""
            return .failure(RequestBodyProblem("unknown field \(ClientText.quoted(unknown))\(hint); the body must be JSON like \(example)"))
        }
        var body = BuildActionBody()
        for field in fields {
            guard let value = object[field.rawValue], value != .null else { continue }
            if field == .results, value.stringValue == nil {
                guard let code = value.integer(in: Int.min...Int.max) else {
                    return .failure(RequestBodyProblem("'results' must be a result name such as RETRY or its code"))
                }
                body.results = BuildResult(rawValue: code).map(Results.result) ?? .invalid(String(code))
                continue
            }
            guard let text = value.stringValue else {
                return .failure(RequestBodyProblem("'\(field.rawValue)' must be a string; the body must be JSON like \(example)"))
            }
            switch field {
            case .reason: body.reason = text
            case .by: body.by = String(text.prefix(100))
            case .results:
                body.results = BuildResult.allCases.first { $0.name == text.uppercased() }.map(Results.result)
                    ?? .invalid(ClientText.quoted(text))
            case .deadline:
                guard let seconds = DurationText.seconds(text) else {
                    return .failure(RequestBodyProblem("bad 'deadline' \(ClientText.quoted(text)): give a duration such as 30m, 2h or 90s (at most 366 days)"))
                }
                body.deadline = seconds
            }
        }
        return .success(body)
    }
}
