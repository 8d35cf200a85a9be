/// Quotes a value from outside so that `/bin/sh` reads it back as exactly that text, never
/// as syntax, at a given ``ShellContext/Placement``.
public enum ShellQuoting {
    /// Characters that never mean anything to sh inside a word: a value made only of them
    /// needs no quotes (so `main` or `1.2.3` read as they always did).
    private static let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=@%+,")

    /// The text to insert for `value` at `placement`; nil where no quoting is safe.
    ///
    /// - unquoted: one word: the value as it is when it is plain, else in single quotes
    ///   (each `'` written `'\''`); an empty value is `''`, so it stays one (empty) argument;
    /// - inside `'…'`: each `'` written `'\''`;
    /// - inside `"…"`: `\`, `$`, `` ` `` and `"` escaped with a backslash;
    /// - in a comment: line breaks become spaces, so the value cannot end the comment.
    public static func quote(_ value: String, at placement: ShellContext.Placement) -> String? {
        switch placement {
        case .unquoted:
            if !value.isEmpty && value.allSatisfy(plain.contains) { return value }
            return "'" + value.replacing("'", with: "'\\''") + "'"
        case .singleQuoted:
            return value.replacing("'", with: "'\\''")
        case .doubleQuoted:
            var out = ""
            for c in value {
                if "\\$`\"".contains(c) { out.append("\\") }
                out.append(c)
            }
            return out
        case .comment:
            return String(value.map { $0.isNewline ? " " : $0 })
        case .unsafe:
            return nil
        }
    }
}
