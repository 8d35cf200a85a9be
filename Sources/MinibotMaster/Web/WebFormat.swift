import Foundation
import MinibotCore

/// How pages write times, durations and results: pure functions, so view models built from
/// them are plain comparable values.
enum WebFormat {
    /// `2026-12-03 07:31:02 UTC`: one zone for everyone reading the page.
    static func time(_ date: Date?) -> String {
        guard let date else { return "" }
        return date.formatted(Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space, timeZone: .gmt)
            .year().month().day().time(includingFractionalSeconds: false)) + " UTC"
    }

    /// `4.2 s`, `3 min 05 s`, `2 h 01 min`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "" }
        if seconds < 10 { return String(format: "%.1f s", seconds) }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return String(format: "%d min %02d s", s / 60, s % 60) }
        return String(format: "%d h %02d min", s / 3600, (s % 3600) / 60)
    }

    /// A build's or step's duration, up to `now` while it runs; empty before it starts.
    static func duration(from start: Date?, to end: Date?, now: Date) -> String {
        guard let start else { return "" }
        return duration((end ?? now).timeIntervalSince(start))
    }
}

/// How a result looks: a word and an icon besides the colour, so it never relies on colour alone.
struct ResultLook: Sendable, Equatable {
    /// `SUCCESS`, `running`, `pending`.
    var word: String
    /// The CSS class: `success`, `failure`, `running`, …
    var css: String
    var icon: String

    init(_ result: BuildResult?, started: Bool = true) {
        guard let result else {
            self = started ? ResultLook(word: "running", css: "running", icon: "⟳") : ResultLook(word: "pending", css: "pending", icon: "…")
            return
        }
        word = result.name
        css = result.name.lowercased()
        switch result {
        case .success: icon = "✔"
        case .warnings: icon = "⚠"
        case .failure: icon = "✘"
        case .skipped: icon = "↷"
        case .exception: icon = "💥"
        case .retry: icon = "↻"
        case .cancelled: icon = "⊘"
        }
    }

    init(word: String, css: String, icon: String) {
        self.word = word
        self.css = css
        self.icon = icon
    }
}

extension WebFormat {
    /// A name as one URL path component (a builder called `a/b?` stays one component).
    static func component(_ name: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name
    }

    /// Text made safe inside HTML or XML (SVG, CCTray) elements and quoted attributes.
    static func escape(_ text: String) -> String { MarkupText.escape(text) }

    static func builderLink(_ name: String) -> String { "/builders/\(component(name))" }
    static func buildLink(_ id: Int64) -> String { "/builds/\(id)" }
}
