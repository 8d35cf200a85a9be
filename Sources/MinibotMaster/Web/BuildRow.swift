import Foundation
import MinibotCore

/// One build as a table row on the home and builder pages.
struct BuildRow: Sendable, Equatable {
    var builder: String
    var builderLink: String
    var number: Int
    var link: String
    var worker: String
    var started: String
    var duration: String
    var look: ResultLook
    var state: String
    /// For a running build with a typical duration: how far along it is (0–99) and
    /// the time left, as text; nil otherwise.
    var progress: Progress?

    struct Progress: Sendable, Equatable {
        var percent: Int
        var eta: String
    }

    /// - Parameter typical: the builder's median successful duration, for a running build's progress.
    init(_ b: Build, now: Date, typical: Double? = nil) {
        builder = b.builderName
        builderLink = WebFormat.builderLink(b.builderName)
        number = b.number
        link = WebFormat.buildLink(b.id)
        worker = b.workerName
        started = WebFormat.time(b.startedAt)
        duration = WebFormat.duration(from: b.startedAt, to: b.completedAt, now: now)
        look = ResultLook(b.results)
        state = b.stateString
        if !b.isComplete, let typical, typical > 0 {
            let elapsed = max(0, now.timeIntervalSince(b.startedAt))
            let left = typical - elapsed
            progress = Progress(percent: min(99, Int(elapsed / typical * 100)),
                                eta: left > 0 ? "about \(WebFormat.duration(left)) left" : "over its typical \(WebFormat.duration(typical))")
        }
    }
}
