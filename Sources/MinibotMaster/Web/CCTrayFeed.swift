import Foundation
import MinibotCore

/// `GET /cc.xml`: the CCTray feed that desktop build monitors (CCMenu, CCTray, nevergreen)
/// read: one project per builder with its activity and last finished result. Pure.
struct CCTrayFeed: Sendable, Equatable {
    struct Project: Sendable, Equatable {
        var name: String
        var isBuilding: Bool
        /// The last finished build, if any.
        var last: Build?
        var webURL: String
    }

    var projects: [Project]

    /// - Parameters:
    ///   - builds: the newest builds of all builders, newest first.
    ///   - baseURL: how clients reach the master (`http://host:8010`), for the projects' links.
    static func make(builders: [String], builds: [Build], baseURL: String) -> CCTrayFeed {
        CCTrayFeed(projects: builders.map { name in
            let mine = builds.filter { $0.builderName == name }
            return Project(name: name, isBuilding: mine.contains { !$0.isComplete }, last: mine.first(where: \.isComplete),
                           webURL: baseURL + WebFormat.builderLink(name))
        })
    }

    /// CCTray's four statuses.
    static func status(_ result: BuildResult?) -> String {
        switch result {
        case .success?, .warnings?: "Success"
        case .failure?: "Failure"
        case nil: "Unknown"
        default: "Exception"
        }
    }

    var xml: String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Projects>\n"
        for p in projects {
            out += "  <Project name=\"\(WebFormat.escape(p.name))\" activity=\"\(p.isBuilding ? "Building" : "Sleeping")\""
            out += " lastBuildStatus=\"\(Self.status(p.last?.results))\""
            if let last = p.last {
                out += " lastBuildLabel=\"\(last.number)\""
                let when = last.completedAt ?? last.startedAt
                out += " lastBuildTime=\"\(when.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)))\""
            }
            out += " webUrl=\"\(WebFormat.escape(p.webURL))\"/>\n"
        }
        return out + "</Projects>\n"
    }
}
