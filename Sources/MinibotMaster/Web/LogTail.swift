import DequeModule

/// The last lines of a log as HTML, numbered from 1. The whole log's colour state runs
/// through one ``AnsiToHTML`` (colours set early still apply late), but only the last
/// `keep` lines are kept, raw with the style they start in, and rendered at the end: a line
/// that is dropped costs a scan for ESC, not a rendering. So a 50 MB log makes a page of a few
/// thousand lines. Pure: fed chunks.
struct LogTail: Sendable {
    struct Line: Sendable, Equatable {
        /// 1-based, the anchor `#step-N-L<number>`.
        var number: Int
        var html: String
    }

    private struct Kept: Sendable {
        var raw: String
        var style: AnsiToHTML.Style
    }

    let keep: Int
    private(set) var total = 0
    /// The UTF-8 bytes of the kept lines.
    private(set) var keptBytes = 0
    private var kept: Deque<Kept> = []
    private var converter = AnsiToHTML()
    /// The start of a line whose end has not come yet.
    private var partial = ""
    /// The kept lines rendered once, for a finished log (``freeze()``).
    private var frozen: [Line]?

    init(keep: Int) { self.keep = keep }

    mutating func feed(_ chunk: String) {
        // By scalars: as Characters, "\r\n" is one and would never equal "\n".
        var parts = chunk.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        let rest = parts.removeLast()
        for part in parts {
            if partial.isEmpty {
                append(String(part))
            } else {
                append(partial + String(part))
                partial = ""
            }
        }
        partial += String(rest)
    }

    /// Ends the log: a last line without a newline counts.
    mutating func finish() {
        if !partial.isEmpty {
            append(partial)
            partial = ""
        }
    }

    /// Renders the kept lines once and keeps only that: a finished log's tail, as the build
    /// page's cache holds it (``keptBytes`` then counts the HTML).
    mutating func freeze() {
        let lines = rendered()
        frozen = lines
        kept = []
        keptBytes = lines.reduce(0) { $0 + $1.html.utf8.count }
    }

    /// The kept lines rendered, oldest first.
    func rendered() -> [Line] {
        if let frozen { return frozen }
        var renderer = AnsiToHTML()
        let first = total - kept.count + 1
        return kept.enumerated().map { i, line in
            renderer.style = line.style
            return Line(number: first + i, html: renderer.render(line: line.raw))
        }
    }

    /// Whether lines before the kept ones were left out.
    var isCut: Bool { total > (frozen?.count ?? kept.count) }

    private mutating func append(_ raw: String) {
        total += 1
        kept.append(Kept(raw: raw, style: converter.style))
        keptBytes += raw.utf8.count
        if kept.count > keep { keptBytes -= kept.removeFirst().raw.utf8.count }
        converter.advance(line: raw)
    }
}
