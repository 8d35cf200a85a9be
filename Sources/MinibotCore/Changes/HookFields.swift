import Foundation

/// Parsing of change-hook bodies into a ``Change``: Buildbot's form fields
/// (`application/x-www-form-urlencoded`) or the same keys in a JSON object.
///
/// Pure, and in the core so that the fuzz target reads bodies exactly as the master does.
public enum HookFields {
    public enum Outcome<T> {
        case success(T)
        case failure(String)
    }

    public static func parse(body: Data, contentType: String?) -> Outcome<[String: HookValue]> {
        if body.isEmpty { return .success([:]) }
        let isJSON = contentType?.contains("json") == true || body.first == UInt8(ascii: "{")
        if isJSON {
            guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                return .failure("the body is not a JSON object")
            }
            var out: [String: HookValue] = [:]
            for (k, v) in object {
                switch v {
                case let s as String: out[k] = .one(s)
                case let n as NSNumber: out[k] = .one(n.stringValue)
                case let a as [Any]:
                    let strings = a.compactMap { $0 as? String }
                    guard strings.count == a.count else { return .failure("field \(k) must be a list of strings") }
                    out[k] = .many(strings)
                case is NSNull: continue
                default: return .failure("field \(k) has an unsupported type")
                }
            }
            return .success(out)
        }
        guard let text = String(data: body, encoding: .utf8) else { return .failure("the body is not UTF-8 text") }
        var out: [String: [String]] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            guard let key, let value else { return .failure("the form body is not valid URL encoding") }
            out[key, default: []].append(value)
        }
        return .success(out.mapValues { $0.count == 1 ? .one($0[0]) : .many($0) })
    }

    private static func decode(_ s: Substring) -> String? {
        s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    public static func change(from fields: [String: HookValue], now: Date) -> Outcome<Change> {
        func value(_ key: String) -> String? {
            guard let v = fields[key]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
            return v
        }
        var missing: [String] = []
        let revision = value("revision")
        let branch = value("branch")
        if revision == nil { missing.append("revision") }
        if branch == nil { missing.append("branch") }
        guard missing.isEmpty, let revision, let branch else {
            return .failure("missing field(s): \(missing.joined(separator: ", ")) (a change needs at least revision and branch)")
        }
        if let problem = GitRefName.sourceProblem(branch: branch, revision: revision) { return .failure(problem) }
        var when = now
        if let ts = value("when_timestamp") ?? value("when") {
            // Epoch seconds up to the year 5138: a date any clock, database and format can hold.
            guard let seconds = Double(ts), seconds.isFinite, seconds > 0, seconds < 1e11 else {
                return .failure("when_timestamp must be epoch seconds, got '\(ts)'")
            }
            when = Date(timeIntervalSince1970: seconds)
        }
        var files: [String] = []
        switch fields["files"] {
        case .many(let list)?: files = list
        case .one(let text)?:
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.hasPrefix("[") {
                guard let data = trimmed.data(using: .utf8),
                      let list = try? JSONSerialization.jsonObject(with: data) as? [String] else {
                    return .failure("files must be a JSON list of paths")
                }
                files = list
            } else if !trimmed.isEmpty {
                files = trimmed.split(whereSeparator: { $0 == "\n" }).map(String.init)
            }
        case nil: break
        }
        let author = value("author") ?? value("who") ?? "unknown"
        return .success(Change(revision: revision, branch: branch, repository: value("repository") ?? "",
                               project: value("project") ?? "", category: value("category"), author: author,
                               committer: value("committer"), comments: fields["comments"]?.first ?? "",
                               files: files, when: when, source: "change_hook"))
    }
}
