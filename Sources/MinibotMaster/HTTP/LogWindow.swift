/// A window of a log's lines (`offset` lines skipped, at most `limit` kept), cut from the
/// log's chunks as they are read, so a big log is never held whole. Lines end with `\n`; a
/// last line without one counts too. Pure: fed text, it returns the lines.
struct LogWindow: Sendable, Equatable {
    let offset: Int
    let limit: Int
    /// Lines seen so far (complete ones).
    private(set) var lineCount = 0
    private(set) var lines: [Substring] = []
    private var partial = ""

    init(offset: Int, limit: Int) {
        self.offset = offset
        self.limit = limit
    }

    /// Whether the window is full: reading more cannot change `lines`.
    var isFull: Bool { lines.count >= limit }

    /// Takes the next piece of the log.
    mutating func feed(_ text: String) {
        // By scalars: as Characters, "\r\n" is one and would never equal "\n".
        var parts = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        let rest = parts.removeLast()
        for part in parts {
            take(Substring(partial + String(part)))
            partial = ""
        }
        partial += String(rest)
    }

    /// Ends the log: a last line without a newline counts.
    mutating func finish() {
        if !partial.isEmpty {
            take(Substring(partial))
            partial = ""
        }
    }

    /// The window's text, one `\n` after each line.
    var content: String { lines.map { $0 + "\n" }.joined() }

    private mutating func take(_ line: Substring) {
        if lineCount >= offset && lines.count < limit { lines.append(line) }
        lineCount += 1
    }
}
