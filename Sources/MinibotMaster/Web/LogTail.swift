import DequeModule

/// The last lines of a log as HTML, numbered from 1: the whole log runs through one
/// ``AnsiToHTML`` (colours set early still apply late), but only the last `keep` lines are
/// kept, so a 50 MB log makes a page of a few thousand lines. Pure: fed chunks.
struct LogTail: Sendable {
    struct Line: Sendable, Equatable {
        /// 1-based, the anchor `#L<number>`.
        var number: Int
        var html: String
    }

    let keep: Int
    private(set) var total = 0
    private var kept: Deque<Line> = []
    private var converter = AnsiToHTML()

    init(keep: Int) { self.keep = keep }

    mutating func feed(_ chunk: String) {
        for html in converter.feed(chunk) { append(html) }
    }

    mutating func finish() {
        if let last = converter.finish() { append(last) }
    }

    /// The kept lines, oldest first.
    var lines: [Line] { Array(kept) }

    /// Whether lines before the kept ones were left out.
    var isCut: Bool { total > kept.count }

    private mutating func append(_ html: String) {
        total += 1
        kept.append(Line(number: total, html: html))
        if kept.count > keep { kept.removeFirst() }
    }
}
