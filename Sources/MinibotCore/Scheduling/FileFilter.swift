/// A scheduler's `files:` filter: a change matters when any of its files matches any pattern.
///
/// Patterns are globs over `/`-separated paths relative to the repository root:
/// - `*` matches any run of characters within one path segment, `?` one character,
///   `[abc]`, `[a-z]`, `[!a-z]` one character of (or not of) a set, `\x` the character x;
/// - `**` as a whole segment matches zero or more segments: `src/**/*.swift` matches
///   `src/a.swift` and `src/x/y/a.swift`; `docs/**` (or `docs/`) everything under `docs`;
/// - a pattern without `/` matches the file name in any directory, as in `.gitignore`:
///   `*.md` matches `README.md` and `docs/guide.md`; a leading `/` anchors it at the root.
public struct FileFilter: Sendable, Equatable {
    public var patterns: [String]

    public init(_ patterns: [String]) {
        self.patterns = patterns
    }

    /// Whether any of `files` matches; a change without files does not.
    public func matches(anyOf files: [String]) -> Bool {
        files.contains { matches($0) }
    }

    /// Whether `file` matches any pattern.
    public func matches(_ file: String) -> Bool {
        let path = Self.segments(Self.trimmed(file))
        return patterns.contains { Self.match(pattern: $0, path: path) }
    }

    static func match(pattern raw: String, path: [Substring]) -> Bool {
        var pattern = raw
        if pattern.hasPrefix("./") { pattern.removeFirst(2) }
        if pattern.hasSuffix("/") { pattern += "**" }
        if pattern.hasPrefix("/") {
            pattern.removeFirst()
        } else if !pattern.contains("/") {
            // A bare name pattern matches the file name at any depth.
            guard let name = path.last else { return false }
            return matchSegment(Array(pattern), Array(name))
        }
        return matchSegments(segments(pattern)[...], path[...])
    }

    private static func trimmed(_ file: String) -> String {
        var f = file
        while f.hasPrefix("./") { f.removeFirst(2) }
        while f.hasPrefix("/") { f.removeFirst() }
        return f
    }

    private static func segments(_ s: String) -> [Substring] {
        s.split(separator: "/", omittingEmptySubsequences: true)
    }

    private static func matchSegments(_ p: ArraySlice<Substring>, _ s: ArraySlice<Substring>) -> Bool {
        guard let first = p.first else { return s.isEmpty }
        if first == "**" {
            let rest = p.dropFirst()
            var tail = s
            while true {
                if matchSegments(rest, tail) { return true }
                guard !tail.isEmpty else { return false }
                tail = tail.dropFirst()
            }
        }
        guard let name = s.first, matchSegment(Array(first), Array(name)) else { return false }
        return matchSegments(p.dropFirst(), s.dropFirst())
    }

    /// fnmatch within one segment, by backtracking over the last `*`.
    static func matchSegment(_ p: [Character], _ s: [Character]) -> Bool {
        var pi = 0, si = 0
        var starP = -1, starS = 0
        while si < s.count {
            if pi < p.count {
                switch p[pi] {
                case "*":
                    starP = pi; starS = si; pi += 1
                    continue
                case "?":
                    pi += 1; si += 1
                    continue
                case "[":
                    if let (matched, next) = matchClass(p, pi, s[si]) {
                        if matched { pi = next; si += 1; continue }
                    } else if s[si] == "[" {
                        // An unterminated `[` is a literal.
                        pi += 1; si += 1; continue
                    }
                case "\\" where pi + 1 < p.count:
                    if p[pi + 1] == s[si] { pi += 2; si += 1; continue }
                default:
                    if p[pi] == s[si] { pi += 1; si += 1; continue }
                }
            }
            guard starP >= 0 else { return false }
            pi = starP + 1; starS += 1; si = starS
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Matches `c` against the class starting at `p[start] == "["`; nil when unterminated.
    private static func matchClass(_ p: [Character], _ start: Int, _ c: Character) -> (Bool, Int)? {
        var i = start + 1
        var negated = false
        if i < p.count && (p[i] == "!" || p[i] == "^") { negated = true; i += 1 }
        var matched = false
        var first = true
        while i < p.count && (p[i] != "]" || first) {
            first = false
            if i + 2 < p.count && p[i + 1] == "-" && p[i + 2] != "]" {
                if p[i] <= c && c <= p[i + 2] { matched = true }
                i += 3
            } else {
                if p[i] == c { matched = true }
                i += 1
            }
        }
        guard i < p.count else { return nil }
        return (matched != negated, i + 1)
    }
}
