import Foundation

/// The masters page's view model: one row per master on the database (one row for a master
/// on its own SQLite file), and the warning when the active ones run different master.cfg files.
struct MastersPage: Sendable, Equatable {
    struct Row: Sendable, Equatable {
        var id: Int64
        var name: String
        var isActive: Bool
        var state: String
        var isThis: Bool
        var generation: String
        var lastActive: String
        var leaseExpires: String
        var configHash: String
        var jobs: String
    }

    var title: String
    var rows: [Row]
    var warning: String?

    static func make(title: String, masters: [API.MasterDTO], warning: String?) -> MastersPage {
        MastersPage(title: title, rows: masters.map { m in
            Row(id: m.masterid, name: m.name, isActive: m.active, state: m.active ? "active" : "inactive", isThis: m.isThis,
                generation: m.generation.map(String.init) ?? "", lastActive: WebFormat.time(m.lastActive),
                leaseExpires: WebFormat.time(m.leaseExpiresAt), configHash: String((m.configHash ?? "").prefix(12)),
                jobs: (m.jobs ?? []).joined(separator: ", "))
        }, warning: warning)
    }
}
