import Foundation
import MinibotCore

/// A build's page: its steps with status, duration and state string, each step's log tail
/// (ANSI colours as classes), properties, source and the changes that caused it.
struct BuildPage: Sendable, Equatable {
    struct Step: Sendable, Equatable {
        var number: Int
        var name: String
        var look: ResultLook
        var duration: String
        var state: String
        /// Open the log when the step runs or failed.
        var isOpen: Bool
        var lines: [LogTail.Line]
        var totalLines: Int
        var shownLines: Int
        var isCut: Bool
        var rawLink: String
        /// The log without ANSI escape sequences.
        var textLink: String
        var anchor: String
        /// `lines` as the log's HTML, one `<span class="line" id="ANCHOR-LN">` each: joined
        /// here rather than looped over in the template (2,000 lines cost Mustache ~10 ms).
        /// Safe raw: each line's HTML is ``AnsiToHTML``'s, escaped; anchors and numbers are ours.
        var linesHTML: String
    }

    /// A change that caused the build.
    struct ChangeRow: Sendable, Equatable {
        var id: Int64
        var revision: String
        var author: String
        var branch: String
        /// The first line of the message.
        var title: String
        var when: String
        var files: Int
    }

    struct Property: Sendable, Equatable {
        var name: String
        var value: String
    }

    var title: String
    var id: Int64
    var builder: String
    var builderLink: String
    var number: Int
    var look: ResultLook
    var state: String
    var worker: String
    var started: String
    var duration: String
    var isRunning: Bool
    var reason: String
    var repository: String
    var branch: String
    var revision: String
    var properties: [Property]
    var changes: [ChangeRow]
    var steps: [Step]

    /// The lines as the `<pre>`'s content.
    static func html(_ lines: [LogTail.Line], anchor: String) -> String {
        var out = ""
        out.reserveCapacity(lines.reduce(0) { $0 + $1.html.utf8.count + 40 })
        for line in lines {
            out += "<span class=\"line\" id=\"\(anchor)-L\(line.number)\">"
            out += line.html
            out += "</span>\n"
        }
        return out
    }

    /// How many lines of each step's log the page carries; the raw log has the rest.
    static let inlineLines = 2000

    /// - Parameter logs: each step's log tail, by step number.
    static func make(title: String, build b: Build, steps: [BuildStep], request: BuildRequest?,
                     changes: [Change] = [], logs: [Int: LogTail], now: Date) -> BuildPage {
        BuildPage(
            title: title, id: b.id, builder: b.builderName, builderLink: WebFormat.builderLink(b.builderName),
            number: b.number, look: ResultLook(b.results), state: b.stateString, worker: b.workerName,
            started: WebFormat.time(b.startedAt), duration: WebFormat.duration(from: b.startedAt, to: b.completedAt, now: now),
            isRunning: !b.isComplete, reason: request?.reason ?? "",
            repository: request?.sourceStamp.repository ?? "", branch: request?.sourceStamp.branch ?? "",
            revision: request?.sourceStamp.revision ?? "",
            properties: b.properties.sorted { $0.key < $1.key }.map { Property(name: $0.key, value: $0.value) },
            changes: changes.map(ChangeRow.init),
            steps: steps.map { s in
                let tail = logs[s.number]
                let lines = tail?.rendered() ?? []
                let failed = s.results.map { !$0.isPassing && $0 != .skipped } ?? false
                return Step(number: s.number, name: s.name, look: ResultLook(s.results, started: s.startedAt != nil),
                            duration: WebFormat.duration(from: s.startedAt, to: s.completedAt, now: now),
                            state: s.stateString, isOpen: (s.startedAt != nil && s.completedAt == nil) || failed,
                            lines: lines, totalLines: tail?.total ?? 0, shownLines: lines.count, isCut: tail?.isCut ?? false,
                            rawLink: "/api/v2/builds/\(b.id)/steps/\(s.number)/logs/stdio/raw",
                            textLink: "/api/v2/builds/\(b.id)/steps/\(s.number)/logs/stdio/text", anchor: "step-\(s.number)",
                            linesHTML: html(lines, anchor: "step-\(s.number)"))
            })
    }
}
