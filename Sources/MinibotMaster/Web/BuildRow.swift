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

    init(_ b: Build, now: Date) {
        builder = b.builderName
        builderLink = WebFormat.builderLink(b.builderName)
        number = b.number
        link = WebFormat.buildLink(b.id)
        worker = b.workerName
        started = WebFormat.time(b.startedAt)
        duration = WebFormat.duration(from: b.startedAt, to: b.completedAt, now: now)
        look = ResultLook(b.results)
        state = b.stateString
    }
}
