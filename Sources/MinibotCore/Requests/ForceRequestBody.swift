import Foundation

/// The body of `POST /api/v2/builders/NAME/force` (`minibot force`), read and checked in one
/// place: the route, `sendchange`-like clients and the fuzz target all go through ``parse(_:)``.
///
/// ```json
/// {"reason": "release", "branch": "main", "revision": "4f2a9c1", "priority": 10,
///  "properties": {"channel": "beta"}, "repository": "file:///srv/git/app.git"}
/// ```
/// Every key is optional and an empty body is a forced build with the defaults. Unknown keys
/// are refused (a misspelt `propertes` would otherwise force a build without them); the
/// branch and revision must pass git's rules (``GitRefName``); the priority must lie in
/// ``BuildRequest/priorityRange``.
public struct ForceRequestBody: Decodable, Equatable, Sendable {
    public var reason: String?
    public var properties: [String: String]?
    public var branch: String?
    public var revision: String?
    public var repository: String?
    public var priority: Int?

    public init(reason: String? = nil, properties: [String: String]? = nil, branch: String? = nil,
                revision: String? = nil, repository: String? = nil, priority: Int? = nil) {
        self.reason = reason
        self.properties = properties
        self.branch = branch
        self.revision = revision
        self.repository = repository
        self.priority = priority
    }

    static let keys = ["reason", "properties", "branch", "revision", "repository", "priority"]
    static let example = #"{"reason": "...", "properties": {"k": "v"}}"#

    /// The body's request, or why it cannot be taken.
    public static func parse(_ data: Data) -> Result<ForceRequestBody, RequestBodyProblem> {
        if data.isEmpty { return .success(ForceRequestBody()) }
        let fields: [String: JSONValue]
        do {
            guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: data) else {
                return .failure(RequestBodyProblem("the body must be a JSON object like \(example)"))
            }
            fields = object
        } catch {
            return .failure(RequestBodyProblem("the body is not JSON; send an object like \(example)"))
        }
        if let unknown = fields.keys.sorted().first(where: { !keys.contains($0) }) {
            let hint = Suggestions.closest(to: unknown, among: keys).map { "; did you mean '\($0)'?" } ?? ""
            return .failure(RequestBodyProblem("unknown field \(ClientText.quoted(unknown))\(hint); fields: \(keys.joined(separator: ", "))"))
        }
        var body = ForceRequestBody()
        for key in ["reason", "branch", "revision", "repository"] {
            guard let value = fields[key], value != .null else { continue }
            guard let text = value.stringValue else {
                return .failure(RequestBodyProblem("'\(key)' must be a string"))
            }
            switch key {
            case "reason": body.reason = text
            case "branch": body.branch = text
            case "revision": body.revision = text
            default: body.repository = text
            }
        }
        if let value = fields["properties"], value != .null {
            guard case .object(let object) = value else {
                return .failure(RequestBodyProblem("'properties' must be an object of strings, like {\"k\": \"v\"}"))
            }
            var properties: [String: String] = [:]
            for (name, value) in object {
                guard let text = value.stringValue else {
                    return .failure(RequestBodyProblem("property \(ClientText.quoted(name)) must be a string"))
                }
                properties[name] = text
            }
            body.properties = properties
        }
        if let value = fields["priority"], value != .null {
            let range = BuildRequest.priorityRange
            guard let priority = value.integer(in: range) else {
                let got = value.number(in: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
                    .map { "priority \($0) is out of range" } ?? "priority must be a number"
                return .failure(RequestBodyProblem("\(got): use a whole number between \(range.lowerBound) and \(range.upperBound)"))
            }
            body.priority = priority
        }
        if let problem = GitRefName.sourceProblem(branch: body.branch, revision: body.revision) {
            return .failure(RequestBodyProblem(problem))
        }
        return .success(body)
    }
}
