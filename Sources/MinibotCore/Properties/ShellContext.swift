/// Where a point of a `/bin/sh -c` script sits, as far as quoting goes: read from the text
/// before it, one character at a time.
///
/// ``Interpolation`` feeds it the literal text of a command string as it renders it, and asks
/// at each placeholder how a value from outside must be quoted there (``placement``). It
/// knows POSIX sh quoting: single and double quotes, backslashes, `#` comments, `$( … )`
/// nesting. Places it cannot quote for safely — inside backticks, in a here-document, right
/// after a backslash — are ``Placement/unsafe(_:)``: the caller refuses the value there
/// rather than guess.
public struct ShellContext: Sendable, Equatable {
    /// How text inserted at the current point is read by the shell.
    public enum Placement: Sendable, Equatable {
        /// Outside any quotes: the value must become one quoted word.
        case unquoted
        /// Inside `'…'`.
        case singleQuoted
        /// Inside `"…"`.
        case doubleQuoted
        /// Inside a `#` comment, up to the end of the line.
        case comment
        /// Nowhere a value can be quoted for with confidence; the reason says where.
        case unsafe(String)
    }

    private enum Frame: Sendable, Equatable {
        /// Commands: the top level, or inside `$(`; `depth` counts open `(` within it.
        case command(depth: Int)
        case single
        case double
        case comment
        case backtick
    }

    private var stack: [Frame] = [.command(depth: 0)]
    private var escaped = false
    private var atWordStart = true
    private var previous: Character?
    /// A `<<` was seen on the current line: its here-document starts at the next newline.
    private var heredocPending = false
    /// Inside a here-document (or after one): its end is not tracked, so it stays unsafe.
    private var inHeredoc = false

    public init() {}

    /// Reads literal script text that precedes the next point of interest.
    public mutating func scan<S: StringProtocol>(_ text: S) {
        for c in text { scan(c) }
    }

    /// Where the text read so far leaves the next character.
    public var placement: Placement {
        if inHeredoc { return .unsafe("inside a here-document") }
        if escaped { return .unsafe("right after a backslash") }
        if stack.contains(.backtick) { return .unsafe("inside backticks (write $(...) instead)") }
        switch stack.last! {
        case .command: return .unquoted
        case .single: return .singleQuoted
        case .double: return .doubleQuoted
        case .comment: return .comment
        case .backtick: return .unsafe("inside backticks (write $(...) instead)")
        }
    }

    private mutating func scan(_ c: Character) {
        defer { previous = c }
        if inHeredoc { return }
        if escaped {
            escaped = false
            atWordStart = false
            return
        }
        switch stack.last! {
        case .single:
            if c == "'" { stack.removeLast() }
        case .comment:
            if c == "\n" { stack.removeLast(); newline() }
        case .double:
            switch c {
            case "\\": escaped = true
            case "\"": stack.removeLast()
            case "`": stack.append(.backtick)
            case "(" where previous == "$": stack.append(.command(depth: 0))
            default: break
            }
        case .command(let depth):
            command(c, depth: depth)
        case .backtick:
            if c == "`" { stack.removeLast() } else { command(c, depth: 0) }
        }
    }

    private mutating func command(_ c: Character, depth: Int) {
        let wasWordStart = atWordStart
        atWordStart = c.isWhitespace || ";&|()<>".contains(c)
        switch c {
        case "\\": escaped = true
        case "'": stack.append(.single)
        case "\"": stack.append(.double)
        case "`": stack.append(.backtick)
        case "#" where wasWordStart: stack.append(.comment)
        case "(" where previous == "$": stack.append(.command(depth: 0))
        case "(":
            if case .command = stack.last! { stack[stack.count - 1] = .command(depth: depth + 1) }
        case ")":
            guard case .command = stack.last! else { break }
            if depth > 0 {
                stack[stack.count - 1] = .command(depth: depth - 1)
            } else if stack.count > 1 {
                stack.removeLast()
            }
        case "<" where previous == "<": heredocPending = true
        case "\n": newline()
        default: break
        }
    }

    private mutating func newline() {
        if heredocPending { inHeredoc = true }
    }
}
