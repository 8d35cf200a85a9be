import Foundation
import MinibotCore
import Yams

/// A YAML file read into a ``ConfigNode`` tree that remembers the 1-based line and column of
/// every value and every mapping key, for `file:line:column` messages.
///
/// Syntax errors are thrown (the tree is unusable). Duplicate keys are not thrown but listed
/// in ``errors``, pointing at the repeat, so a checker can report them with everything else;
/// the tree keeps the first occurrence.
///
/// The master's loader, `minibot checkconfig` and the host agent (for its own file) use it:
/// ```swift
/// let document = try YAMLDocument(contentsOf: path)
/// let reader = ConfigReader(errors: document.errors)
/// let settings = reader.mapping(document.root, "the agent configuration", keys: [...]) { m in ... }
/// return try reader.finish(settings, root: document.root)
/// ```
public struct YAMLDocument: Sendable {
    /// The document's root; `.null` at 1:1 for an empty file.
    public var root: ConfigNode
    /// Problems that did not stop parsing: duplicate keys.
    public var errors: [ConfigError]
    /// The file name used in locations.
    public var path: String

    /// The largest configuration file read: far above any real one, and a bound on the memory
    /// a reload may take.
    public static let maxBytes = 4 << 20

    /// How deeply `[` and `{` may nest; the YAML composer recurses once per level.
    public static let maxFlowDepth = 64

    /// Reads and parses the file at `path`.
    public init(contentsOf path: String) throws(ConfigErrors) {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        guard size <= Self.maxBytes else {
            throw ConfigErrors([ConfigError("the file is \(size) bytes; a configuration may have at most \(Self.maxBytes)",
                                            at: SourceLocation(file: path, line: 1, column: 1))])
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = (error as NSError).localizedDescription
            throw ConfigErrors([ConfigError(
                "cannot read the configuration file: \(reason); check the path and its permissions",
                at: SourceLocation(file: path, line: 1, column: 1))])
        }
        try self.init(text: text, path: path)
    }

    /// Parses `text`; `path` only names it in locations.
    public init(text: String, path: String) throws(ConfigErrors) {
        self.path = path
        if let deep = Self.tooDeep(text) {
            throw ConfigErrors([ConfigError("'[' and '{' are nested more than \(Self.maxFlowDepth) levels deep here",
                                            at: SourceLocation(file: path, line: deep.line, column: deep.column))])
        }
        var source = text
        var renamed = KeyRenames()
        // Yams refuses a mapping with a repeated key and names only the first occurrence.
        // To point at the repeat (and find every one), rename the first occurrence with a
        // private-use character, parse again, and restore the name while converting; the
        // converter then reports each repeat where it is. Bounded: one round per repeat.
        var composed: Node?
        while true {
            do {
                composed = try Yams.compose(yaml: source)
                break
            } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
                guard renamed.count < 200, let edited = renamed.rename(keyAt: context.mark, in: source) else {
                    let name = duplicates.first ?? "?"
                    throw ConfigErrors([ConfigError(
                        "duplicate key '\(name)' in this mapping; each key may appear once",
                        at: SourceLocation(file: path, line: context.mark.line, column: context.mark.column))])
                }
                source = edited
            } catch let error as YamlError {
                throw ConfigErrors([Self.syntaxError(error, text: text, path: path)])
            } catch {
                throw ConfigErrors([ConfigError("cannot parse YAML: \(error)",
                                                at: SourceLocation(file: path, line: 1, column: 1))])
            }
        }
        var converter = Converter(path: path, renamed: renamed)
        root = composed.map { converter.convert($0) }
            ?? ConfigNode(.null, at: SourceLocation(file: path, line: 1, column: 1))
        errors = converter.errors
    }

    /// Where flow collections first nest past ``maxFlowDepth``, outside quotes and comments;
    /// nil when they never do. Checked before parsing, as the composer recurses per level.
    static func tooDeep(_ text: String) -> (line: Int, column: Int)? {
        var depth = 0, line = 1, column = 0
        var quote: Character?
        var inComment = false
        var previous: Character = "\n"
        for ch in text {
            column += 1
            defer { previous = ch }
            if ch == "\n" {
                line += 1; column = 0; inComment = false
                continue
            }
            if inComment { continue }
            if let q = quote {
                if ch == q { quote = nil }
                continue
            }
            switch ch {
            // A quote opens a string only where a value starts (not the one in "don't").
            case "\"", "'":
                if " \t\n[{,:-".contains(previous) { quote = ch }
            case "#" where previous == " " || previous == "\t" || previous == "\n": inComment = true
            case "[", "{":
                depth += 1
                if depth > maxFlowDepth { return (line, column) }
            case "]", "}": depth = max(0, depth - 1)
            default: break
            }
        }
        return nil
    }

    /// A libyaml error as `file:line:column: YAML syntax error: …`, with a hint for the
    /// mistakes people make most (tabs, indentation).
    static func syntaxError(_ error: YamlError, text: String, path: String) -> ConfigError {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: path, line: mark.line, column: mark.column) }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            var message = "YAML syntax error: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let line = mark.line >= 1 && mark.line - 1 < lines.count ? lines[mark.line - 1] : ""
            if line.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") {
                message += "; YAML does not allow tabs for indentation: indent with spaces"
            } else if let context, context.text.contains("block") {
                message += "; check the indentation of this line against the lines above"
            }
            return ConfigError(message, at: at(mark))
        case let .reader(problem, offset, _, _):
            var location = SourceLocation(file: path, line: 1, column: 1)
            if let offset {
                let before = text.utf8.prefix(offset)
                let lines = before.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                location.line = lines.count
                location.column = (lines.last.map { String(decoding: $0, as: UTF8.self).unicodeScalars.count } ?? 0) + 1
            }
            return ConfigError("cannot read YAML: \(problem); the file must be UTF-8 text", at: location)
        default:
            return ConfigError("cannot parse YAML: \(error)", at: SourceLocation(file: path, line: 1, column: 1))
        }
    }
}

/// The keys renamed to get past Yams' duplicate-key check, to put their names back.
struct KeyRenames {
    /// Private-use scalar → the scalar it replaced.
    private var originals: [Unicode.Scalar: Unicode.Scalar] = [:]

    var count: Int { originals.count }

    /// `source` with the first character of the key at `mark` replaced by a fresh private-use
    /// scalar (one scalar for one, so no mark moves: libyaml counts columns in scalars), or
    /// nil when that is not possible (an empty quoted key).
    mutating func rename(keyAt mark: Mark, in source: String) -> String? {
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false)
            .map { Array(String($0).unicodeScalars) }
        let row = mark.line - 1
        var column = mark.column - 1
        guard row >= 0, row < lines.count, column >= 0, column < lines[row].count else { return nil }
        let opening = lines[row][column]
        if opening == "\"" || opening == "'" { column += 1 }
        guard column < lines[row].count, lines[row][column] != opening || (opening != "\"" && opening != "'"),
              let marker = Unicode.Scalar(0xE000 + UInt32(originals.count)) else { return nil }
        originals[marker] = lines[row][column]
        lines[row][column] = marker
        return lines.map { String(String.UnicodeScalarView($0)) }.joined(separator: "\n")
    }

    /// `key` with any renamed character put back.
    func restore(_ key: String) -> String {
        guard !originals.isEmpty else { return key }
        return String(String.UnicodeScalarView(key.unicodeScalars.map { originals[$0] ?? $0 }))
    }
}

/// Yams nodes → ``ConfigNode``, reporting repeated mapping keys.
///
/// Yams resolves an alias to the node its anchor names, shared, so nine nested anchors of
/// nine aliases each compose in little memory but would convert into 9^9 copies. The
/// converter therefore has a budget of values and a nesting limit: past either it stops,
/// reports where (the key or list that holds the alias), and the file is refused.
private struct Converter {
    /// More values than any real configuration holds (a master.cfg of 200 builders is ~20,000).
    static let valueBudget = 200_000
    static let depthLimit = 100

    let path: String
    let renamed: KeyRenames
    var errors: [ConfigError] = []
    private var converted = 0
    private var depth = 0
    private var stopped = false

    init(path: String, renamed: KeyRenames) {
        self.path = path
        self.renamed = renamed
    }

    /// Counts one value; false (after recording why, once) when past the budget or too deep.
    private mutating func admit(at location: SourceLocation) -> Bool {
        guard !stopped else { return false }
        converted += 1
        if converted > Self.valueBudget {
            stopped = true
            errors.append(ConfigError(
                "this file expands to more than \(Self.valueBudget) values (YAML aliases such as *name "
                + "copy what their anchor names); use fewer or less nested aliases", at: location))
            return false
        }
        if depth > Self.depthLimit {
            stopped = true
            errors.append(ConfigError("values are nested more than \(Self.depthLimit) levels deep here",
                                      at: location))
            return false
        }
        return true
    }

    func location(_ mark: Mark?) -> SourceLocation {
        SourceLocation(file: path, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// `node` converted; `holder` is where it is written (the key of a mapping value, the
    /// list of an item), which is where an alias is when `node` came from one.
    mutating func convert(_ node: Node, heldAt holder: SourceLocation? = nil) -> ConfigNode {
        guard admit(at: holder ?? location(node.mark)) else { return ConfigNode(.null, at: location(node.mark)) }
        depth += 1
        defer { depth -= 1 }
        switch node {
        case .scalar(let scalar):
            let isQuoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
            let isNull = !isQuoted && scalar.style != .literal && scalar.style != .folded
                && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
            return ConfigNode(isNull ? .null : .scalar(scalar.string, isQuoted: isQuoted), at: location(scalar.mark))
        case .sequence(let sequence):
            let here = location(sequence.mark)
            var items: [ConfigNode] = []
            for item in sequence where !stopped { items.append(convert(item, heldAt: here)) }
            return ConfigNode(.sequence(items), at: here)
        case .mapping(let mapping):
            var entries: [ConfigNode.Entry] = []
            var seen: [String: SourceLocation] = [:]
            for (keyNode, valueNode) in mapping where !stopped {
                let keyLocation = location(keyNode.mark)
                guard let text = keyNode.scalar?.string else {
                    errors.append(ConfigError("a mapping key must be a plain word, not a list or a mapping",
                                              at: keyLocation))
                    continue
                }
                let key = renamed.restore(text)
                if let first = seen[key] {
                    errors.append(ConfigError(
                        "duplicate key '\(key)'; it is already set at line \(first.line), column \(first.column); "
                        + "each key may appear once in a mapping", at: keyLocation))
                    continue
                }
                seen[key] = keyLocation
                entries.append(ConfigNode.Entry(key: key, keyLocation: keyLocation,
                                                value: convert(valueNode, heldAt: keyLocation)))
            }
            return ConfigNode(.mapping(entries), at: location(mapping.mark))
        case .alias(let alias):
            return ConfigNode(.null, at: location(alias.mark))
        }
    }
}
