import Foundation
import MinibotCore

/// The home page's view model: one row per builder with its last results, the recent builds
/// (a running one with its progress against the builder's typical duration) and a health line. Built from plain values by ``make(title:builders:builds:pending:workers:now:)``.
struct HomePage: Sendable, Equatable {
    /// A builder with its last results as cells, newest first.
    struct BuilderRow: Sendable, Equatable {
        struct Cell: Sendable, Equatable {
            var look: ResultLook
            var link: String
            var number: Int
        }

        var name: String
        var link: String
        var cells: [Cell]
        var running: Int
        var pending: Int
        var lastDuration: String
        /// The median duration of its recent successful builds.
        var typicalDuration: String
    }

    var title: String
    var health: String
    var builders: [BuilderRow]
    /// The recent builds.
    var buildRows: [BuildRow]

    /// How many last results a builder row shows.
    static let cellCount = 10

    /// - Parameters:
    ///   - builds: the newest builds of all builders, newest first.
    ///   - pending: each pending request's waiting reasons, by builder.
    static func make(title: String, builders: [String], builds: [Build], pending: [String: [[WaitingReason]]],
                     workers: [WorkerState], now: Date) -> HomePage {
        var byBuilder: [String: [Build]] = [:]
        for b in builds { byBuilder[b.builderName, default: []].append(b) }
        var typical: [String: Double] = [:]
        let rows = builders.map { name -> BuilderRow in
            let mine = byBuilder[name] ?? []
            let finished = mine.filter(\.isComplete)
            let usual = TypicalDuration.of(finished)
            typical[name] = usual
            return BuilderRow(
                name: name, link: WebFormat.builderLink(name),
                cells: mine.prefix(cellCount).map { BuilderRow.Cell(look: ResultLook($0.results), link: WebFormat.buildLink($0.id), number: $0.number) },
                running: mine.count { !$0.isComplete }, pending: pending[name]?.count ?? 0,
                lastDuration: finished.first.map { WebFormat.duration(from: $0.startedAt, to: $0.completedAt, now: now) } ?? "",
                typicalDuration: usual.map(WebFormat.duration) ?? "")
        }
        return HomePage(title: title, health: health(workers: workers, pending: pending.values.flatMap { $0 }),
                        builders: rows, buildRows: builds.prefix(20).map { BuildRow($0, now: now, typical: typical[$0.builderName]) })
    }

    /// `3 of 4 workers connected, 2 usable · 5 requests waiting, most for: busy (1/1 builds) (4)`.
    static func health(workers: [WorkerState], pending: [[WaitingReason]]) -> String {
        let connected = workers.count(where: \.isConnected)
        let usable = workers.count { $0.isConnected && !$0.isPaused && !$0.isStopping }
        var text = "\(connected) of \(workers.count) workers connected, \(usable) usable"
        if pending.isEmpty {
            text += " · no requests waiting"
        } else {
            text += " · \(pending.count) request\(pending.count == 1 ? "" : "s") waiting"
            if let top = ReasonSummary.biggest(pending) { text += ", most for: \(top.reason) (\(top.count))" }
        }
        return text
    }
}
