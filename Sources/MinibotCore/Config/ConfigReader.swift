/// Reads values out of a ``ConfigNode`` and collects every problem with its `file:line:column`,
/// instead of stopping at the first one.
///
/// The master's loader, every plugin's `checkConfiguration` and the host agent use it, so all
/// of them word their messages alike. Use one reader for one check, from one task: it is a
/// class because it accumulates errors, and it is deliberately not `Sendable`.
///
/// ```swift
/// let reader = ConfigReader()
/// let server = reader.mapping(node, "www", keys: ["port", "bind"]) { m in
///     (port: m.int("port", default: 8010, range: 1...65535), bind: m.string("bind", default: "127.0.0.1"))
/// }
/// return reader.errors
/// ```
///
/// A conversion returns nil (or the caller's default) after recording an error, so a checker
/// can go on and report the next problem. `what` names the value in messages, usually
/// the key in quotes (`'port'`); ``ConfigMapping`` fills it in for keyed values.
public final class ConfigReader {
    /// Every problem recorded so far, in the order found.
    public private(set) var errors: [ConfigError]

    /// A reader that starts with `errors` (e.g. the duplicate keys a YAML parser found).
    public init(errors: [ConfigError] = []) {
        self.errors = errors
    }

    public var hasErrors: Bool { !errors.isEmpty }

    /// Records one problem; the same message at the same place again is recorded once (a
    /// default block is checked again for each worker that inherits it, and `checkconfig`
    /// printed the same `resume_load` error once per worker).
    public func error(_ message: String, at location: SourceLocation) {
        let problem = ConfigError(message, at: location)
        guard !errors.contains(problem) else { return }
        errors.append(problem)
    }

    /// Records problems found elsewhere (a plugin's checker, a parser).
    public func append(contentsOf more: [ConfigError]) {
        errors.append(contentsOf: more)
    }

    /// `value` when no problem was recorded; otherwise every problem, thrown.
    public func finish<T>(_ value: T?, root: ConfigNode) throws(ConfigErrors) -> T {
        if let value, errors.isEmpty { return value }
        if errors.isEmpty { error("expected a configuration here", at: root.location) }
        throw ConfigErrors(errors)
    }

    // MARK: scalars

    /// The text of a scalar: `password: 123` reads as `"123"`.
    public func string(_ node: ConfigNode, _ what: String) -> String? {
        if case .scalar(let text, _) = node.value { return text }
        typeError(expected: "a string", for: what, found: node)
        return nil
    }

    /// A whole number, optionally within `range`.
    public func int(_ node: ConfigNode, _ what: String, range: ClosedRange<Int>? = nil) -> Int? {
        guard let text = numberText(node, what, expected: "an integer") else { return nil }
        guard let value = Int(text.replacingUnderscores) else {
            error("expected an integer for \(what), found '\(text)'", at: node.location)
            return nil
        }
        if let range, !range.contains(value) {
            let bounds = range.upperBound == Int.max ? "at least \(range.lowerBound)"
                : "between \(range.lowerBound) and \(range.upperBound)"
            error("\(what) must be \(bounds), found \(value)", at: node.location)
            return nil
        }
        return value
    }

    /// A finite number, optionally within `range`.
    public func double(_ node: ConfigNode, _ what: String, range: ClosedRange<Double>? = nil) -> Double? {
        guard let text = numberText(node, what, expected: "a number") else { return nil }
        guard let value = Double(text.replacingUnderscores), value.isFinite else {
            error("expected a number for \(what), found '\(text)'", at: node.location)
            return nil
        }
        if let range, !range.contains(value) {
            let bounds = range.upperBound >= .greatestFiniteMagnitude ? "at least \(range.lowerBound.plain)"
                : "between \(range.lowerBound.plain) and \(range.upperBound.plain)"
            error("\(what) must be \(bounds), found \(value.plain)", at: node.location)
            return nil
        }
        return value
    }

    /// `true`/`false` (YAML's `yes`/`no`/`on`/`off` too), unquoted.
    public func bool(_ node: ConfigNode, _ what: String) -> Bool? {
        if case .scalar(let text, let isQuoted) = node.value, !isQuoted {
            switch text.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: break
            }
        }
        if case .scalar(let text, true) = node.value, ["true", "false"].contains(text.lowercased()) {
            error("expected true or false for \(what), found the quoted string \"\(text)\"; remove the quotes",
                  at: node.location)
        } else {
            typeError(expected: "true or false", for: what, found: node)
        }
        return nil
    }

    /// Seconds, written `90s`, `5m`, `1h`, `2d`, `1h30m`, `250ms` or as a bare number of seconds.
    public func duration(_ node: ConfigNode, _ what: String) -> Double? {
        guard case .scalar(let text, _) = node.value else {
            typeError(expected: "a duration such as 90s, 5m or 1h", for: what, found: node)
            return nil
        }
        guard let seconds = DurationText.seconds(text) else {
            error("'\(text.shortened)' is not a duration for \(what): write a number with a unit, such as "
                  + "90s, 5m, 1h, 2d, 1h30m or 250ms (a bare number means seconds), at most 366 days",
                  at: node.location)
            return nil
        }
        return seconds
    }

    /// One of `allowed`, e.g. `incremental` or `full`.
    public func word(_ node: ConfigNode, _ what: String, allowed: [String]) -> String? {
        guard case .scalar(let text, _) = node.value else {
            typeError(expected: "one of " + allowed.joined(separator: ", "), for: what, found: node)
            return nil
        }
        guard allowed.contains(text) else {
            let hint = Suggestions.closest(to: text, among: allowed).map { "; did you mean '\($0)'?" } ?? ""
            error("'\(text)' is not a valid \(what): use one of "
                  + allowed.joined(separator: ", ") + hint, at: node.location)
            return nil
        }
        return text
    }

    /// A case of a string enum, by its raw value.
    public func choice<E: RawRepresentable & CaseIterable>(_ node: ConfigNode, _ what: String, as type: E.Type = E.self) -> E?
    where E.RawValue == String {
        word(node, what, allowed: E.allCases.map(\.rawValue)).flatMap(E.init(rawValue:))
    }

    // MARK: collections

    /// A list whose items `each` reads; items that fail are left out (their errors recorded).
    public func list<T>(_ node: ConfigNode, _ what: String, _ each: (ConfigNode) -> T?) -> [T]? {
        guard case .sequence(let items) = node.value else {
            typeError(expected: "a list", for: what, found: node)
            return nil
        }
        return items.compactMap(each)
    }

    /// A list of strings.
    public func strings(_ node: ConfigNode, _ what: String) -> [String]? {
        list(node, what) { string($0, "an item of \(what)") }
    }

    /// One string or a list of strings: `branches: main` reads as `["main"]`.
    public func stringOrList(_ node: ConfigNode, _ what: String) -> [String]? {
        if case .scalar(let text, _) = node.value { return [text] }
        if case .sequence = node.value { return strings(node, what) }
        typeError(expected: "a string or a list of strings", for: what, found: node)
        return nil
    }

    /// A mapping whose keys are free (names, not settings) and whose values `each` reads.
    public func dictionary<T>(_ node: ConfigNode, _ what: String, _ each: (ConfigNode.Entry) -> T?) -> [String: T]? {
        guard case .mapping(let entries) = node.value else {
            typeError(expected: "a mapping", for: what, found: node)
            return nil
        }
        var result: [String: T] = [:]
        for entry in entries {
            if let value = each(entry), result[entry.key] == nil { result[entry.key] = value }
        }
        return result
    }

    /// A mapping of strings to strings (environment, properties); scalar values read as text.
    public func stringMap(_ node: ConfigNode, _ what: String) -> [String: String]? {
        dictionary(node, what) { string($0.value, "'\($0.key)' in \(what)") }
    }

    /// A mapping of settings: reports keys not in `keys` (with "did you mean"), then lets
    /// `body` read the values. `keys: nil` accepts any key. `what` names the mapping in
    /// messages (`www`, `a worker`, `the single_branch scheduler`).
    public func mapping<T>(_ node: ConfigNode, _ what: String, keys: [String]?,
                           _ body: (ConfigMapping) -> T) -> T? {
        guard case .mapping(let entries) = node.value else {
            typeError(expected: "a mapping", for: what, found: node)
            return nil
        }
        if let keys {
            for entry in entries where !keys.contains(entry.key) {
                let hint = Suggestions.hint(for: entry.key, among: keys, label: "allowed keys",
                                            whenEmpty: "it takes no keys")
                error("unknown key '\(entry.key)' in \(what); \(hint)", at: entry.keyLocation)
            }
        }
        return body(ConfigMapping(node: node, entries: entries, what: what, reader: self))
    }

    /// A one-key mapping whose key says what kind of thing it is, like a step
    /// (`shell: {...}`) or a scheduler (`force: {...}`). Returns the kind, where it is
    /// written and its settings.
    public func variant(_ node: ConfigNode, _ what: String, kinds: [String]) -> ConfigNode.Entry? {
        let form = "a mapping with one key naming its kind (" + kinds.joined(separator: ", ") + ")"
        guard case .mapping(let entries) = node.value, let first = entries.first else {
            typeError(expected: form, for: what, found: node)
            return nil
        }
        guard entries.count == 1 else {
            let listed = entries.map { "'\($0.key)'" }.joined(separator: ", ")
            error("\(what) must be \(form), found keys \(listed); "
                  + "indent its settings under '\(first.key):' or write them as '\(first.key): {...}'",
                  at: entries[1].keyLocation)
            return nil
        }
        guard kinds.contains(first.key) else {
            let hint = Suggestions.hint(for: first.key, among: kinds, label: "known kinds")
            error("unknown kind '\(first.key)' for \(what); \(hint)", at: first.keyLocation)
            return nil
        }
        return first
    }

    // MARK: cross-checks

    /// Checks that `name` is one of `known`; otherwise records `unknown worker 'x'; did you
    /// mean 'w1'?`, where `noun` is the singular (`worker`).
    @discardableResult
    public func reference(_ name: String, among known: [String], noun: String, at location: SourceLocation) -> Bool {
        guard !known.contains(name) else { return true }
        let hint = Suggestions.hint(for: name, among: known, label: "known \(noun)s",
                                    whenEmpty: "no \(noun)s are defined")
        error("unknown \(noun) '\(name)'; \(hint)", at: location)
        return false
    }

    /// Reports every name that repeats an earlier one, at the repeat, saying where the first is.
    public func unique(_ names: [(name: String, location: SourceLocation)], noun: String) {
        var first: [String: SourceLocation] = [:]
        for item in names {
            if let earlier = first[item.name] {
                error("duplicate \(noun) name '\(item.name)'; the first one is at line \(earlier.line), "
                      + "column \(earlier.column); names must be unique", at: item.location)
            } else {
                first[item.name] = item.location
            }
        }
    }

    // MARK: helpers

    /// Records `expected X for WHAT, found Y`.
    public func typeError(expected: String, for what: String, found node: ConfigNode) {
        error("expected \(expected) for \(what), found \(Self.describe(node))", at: node.location)
    }

    /// How a node reads in a message: `a list`, `a mapping`, `nothing`, `'abc'`.
    public static func describe(_ node: ConfigNode) -> String {
        switch node.value {
        case .null: "nothing"
        case .sequence: "a list"
        case .mapping: "a mapping"
        case .scalar(let text, let isQuoted):
            isQuoted ? "the string \"\(text.shortened)\"" : "'\(text.shortened)'"
        }
    }

    private func numberText(_ node: ConfigNode, _ what: String, expected: String) -> String? {
        switch node.value {
        case .scalar(let text, false):
            return text
        case .scalar(let text, true):
            error("expected \(expected) for \(what), found the quoted string \"\(text.shortened)\"; "
                  + "write the number without quotes", at: node.location)
            return nil
        default:
            typeError(expected: expected, for: what, found: node)
            return nil
        }
    }
}

extension String {
    fileprivate var replacingUnderscores: String { filter { $0 != "_" } }

    /// Long values are cut in messages so the line stays readable.
    fileprivate var shortened: String { count <= 40 ? self : prefix(37) + "..." }
}

extension Double {
    /// `3` rather than `3.0` in messages.
    fileprivate var plain: String {
        rounded() == self && abs(self) < 1e15 ? String(Int(self)) : String(self)
    }
}
