import Foundation
import MinibotCore
import MinibotHostFacts

/// The hosts page (`/hosts`): one section per host agent, with the workers on it, the agent's
/// link and slots as the master knows them, the leases this master holds there and the
/// subscriptions waiting for a slot, with their reason and predicted end.
struct HostsPage: Sendable, Equatable {
    struct WorkerLink: Sendable, Equatable {
        var name: String
        var link: String
    }

    struct LeaseRow: Sendable, Equatable {
        var worker: String
        var workerLink: String
        var lease: String
        /// `request 12 (build b #3)`, or the request alone.
        var what: String
        var buildLink: String?
    }

    struct WaitingRow: Sendable, Equatable {
        var worker: String
        var workerLink: String
        var request: String
        var reason: String
        var until: String
    }

    struct Host: Sendable, Equatable {
        var hostname: String
        var agent: String
        var isConnected: Bool
        /// `connected`, `unreachable: connection refused`, `not heard from yet`.
        var link: String
        /// `2 slots, 1 held by this master`.
        var slots: String
        var workers: [WorkerLink]
        var leases: [LeaseRow]
        var waiting: [WaitingRow]
    }

    var title: String
    /// Empty when no worker has an agent (the template then says how to use one).
    var hosts: [Host]

    /// - Parameters:
    ///   - workers: every configured worker (the agent and hostname come from what it reported).
    ///   - views: what the plugins know of each worker's agent (``MasterPlugin/hostAgents()``).
    ///   - running: running builds by request id, to name a lease's build.
    static func make(title: String, workers: [WorkerState], views: [HostAgentView], running: [Int64: Build],
                     now: Date, zone: TimeZone = .current) -> HostsPage {
        struct Key: Hashable, Comparable {
            var hostname: String
            var agent: String
            static func < (a: Key, b: Key) -> Bool { (a.hostname, a.agent) < (b.hostname, b.agent) }
        }
        var byWorker: [String: HostAgentView] = [:]
        for v in views where byWorker[v.worker] == nil { byWorker[v.worker] = v }
        var groups: [Key: [String]] = [:]
        for w in workers {
            let view = byWorker[w.name]
            guard let agent = w.info?.facts["agent"].flatMap({ $0.isEmpty ? nil : $0 }) ?? view?.agent else { continue }
            groups[Key(hostname: w.info?.hostname ?? view?.hostname ?? w.name, agent: agent), default: []].append(w.name)
        }
        let hosts = groups.sorted { $0.key < $1.key }.map { key, members -> Host in
            let names = members.sorted()
            let known = names.compactMap { byWorker[$0] }
            var link = "not heard from yet"
            var isConnected = false
            if known.contains(where: { $0.link == .connected }) {
                link = "connected"
                isConnected = true
            } else if let why = known.lazy.compactMap({ v -> String? in
                if case .unreachable(let r) = v.link { return r }
                return nil
            }).first {
                link = "unreachable: \(why)"
            }
            let leases = known.flatMap { v in
                v.leases.map { l -> LeaseRow in
                    let build = l.requestID.flatMap { running[$0] }
                    var what = l.requestID.map { "request \($0)" } ?? "a build"
                    if let build { what += " (build \(build.builderName) #\(build.number))" }
                    return LeaseRow(worker: v.worker, workerLink: Self.link(v.worker), lease: l.lease, what: what,
                                    buildLink: build.map { WebFormat.buildLink($0.id) })
                }
            }
            let waiting = known.flatMap { v in
                v.waiting.map { s in
                    WaitingRow(worker: v.worker, workerLink: Self.link(v.worker), request: "request \(s.requestID)", reason: s.reason,
                               until: s.until.map { "until " + TimeLabel.text($0, relativeTo: now, in: zone) } ?? "")
                }
            }
            let slots = known.compactMap(\.slots).max()
            let slotText = (slots.map { "\($0) slot\($0 == 1 ? "" : "s")" } ?? "slots not announced yet")
                + ", \(leases.count) held by this master"
            return Host(hostname: key.hostname, agent: key.agent, isConnected: isConnected, link: link, slots: slotText,
                        workers: names.map { WorkerLink(name: $0, link: Self.link($0)) }, leases: leases, waiting: waiting)
        }
        return HostsPage(title: title, hosts: hosts)
    }

    private static func link(_ worker: String) -> String { WebFormat.workerLink(worker) }
}
