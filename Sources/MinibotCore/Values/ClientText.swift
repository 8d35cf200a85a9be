/// Text a client sent (a worker's name, a branch), made fit for a log line or an error
/// message: control characters escaped, and cut to a bounded length.
///
/// Anyone who can reach the master can send a 1 MB "worker name" or one with line breaks
/// that forge log lines; logs and refusals show such text only through this.
public enum ClientText {
    /// `text` in double quotes, with `"`, `\` and control characters escaped (`\n`, `\u{1b}`)
    /// and, past `limit` characters, cut with `…(N more)`.
    public static func quoted(_ text: String, limit: Int = 64) -> String {
        var out = "\""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                let rest = text.unicodeScalars.count - limit
                out += "\"…(\(rest) more)"
                return out
            }
            count += 1
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028
                    || scalar.value == 0x2029 {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
