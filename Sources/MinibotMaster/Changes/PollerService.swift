import Foundation
import Logging
import MinibotCore
import MinibotGit
import MinibotStore
import ServiceLifecycle

/// The `git_poller` change sources: each keeps a bare mirror under the master directory,
/// fetches it every `poll_interval` (or at once on `POST /change_hook/poller`), and turns
/// every commit not seen before into a change.
///
/// The first poll of a repository records its heads and emits nothing, so a new master
/// does not build history; heads are persisted, so a restart does not replay commits.
/// A failing repository is logged once per failure streak and retried at its next
/// interval; it never disturbs the other pollers.
actor PollerService: Service {
    private struct Poller {
        var spec: GitPollerSpec
        var mirror: GitMirror
        var nextDue: Date
        var isFailing = false
    }

    private var pollers: [String: Poller] = [:]
    /// Pollers with a poll running, and the polls waiting for it. The actor is reentrant
    /// across a fetch, so without this a hook's poll during a periodic one would compare
    /// the same old heads twice and record the same commits twice.
    private var busy: Set<String> = []
    private var queued: [String: [CheckedContinuation<Void, Never>]] = [:]
    private let directory: URL
    private let store: any Store
    /// Which pollers run here (several masters: one master each).
    private let jobs: JobOwnership
    private let changes: @Sendable (Change) async throws -> Void
    private let events: EventLog
    private let logger: Logger
    private let clock: any WallClock
    private let signal: WakeSignal

    init(specs: [GitPollerSpec], directory: URL, store: any Store, jobs: JobOwnership, events: EventLog, logger: Logger,
         clock: any WallClock, changes: @escaping @Sendable (Change) async throws -> Void) {
        self.directory = directory
        self.jobs = jobs
        self.events = events
        self.store = store
        self.logger = logger
        self.clock = clock
        self.signal = WakeSignal(clock: clock)
        self.changes = changes
        for spec in specs { pollers[spec.name] = Self.makePoller(spec, directory: directory, due: clock.now()) }
    }

    private static func makePoller(_ spec: GitPollerSpec, directory: URL, due: Date) -> Poller {
        let safe = spec.name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        let path = directory.appendingPathComponent("gitpoller-mirrors").appendingPathComponent(String(safe) + ".git").path
        return Poller(spec: spec, mirror: GitMirror(url: resolve(spec.repository, in: directory), path: path), nextDue: due)
    }

    /// A relative local path in `master.cfg` is relative to the master directory; which
    /// addresses are local is ``RepositoryAddress``'s git rule (`host:repo.git` is scp-like).
    /// The build runner resolves a `git` step's repository with it too.
    static func resolve(_ repository: String, in directory: URL) -> String {
        RepositoryAddress(repository).resolved(relativeTo: directory.standardizedFileURL.path)
    }

    /// When a poller polls next after its `poll_interval` changed from `old` to `new`: the new
    /// interval counts from the last poll (`due - old`), so a shorter one takes effect at once
    /// (a time already past polls on the next wake-up) instead of after the old one runs out.
    static func nextDue(_ due: Date, from old: TimeInterval, to new: TimeInterval) -> Date {
        old == new ? due : due.addingTimeInterval(new - old)
    }

    func apply(specs: [GitPollerSpec]) {
        var next: [String: Poller] = [:]
        for spec in specs {
            if let existing = pollers[spec.name], existing.spec.repository == spec.repository {
                var p = existing
                p.nextDue = Self.nextDue(existing.nextDue, from: existing.spec.pollInterval, to: spec.pollInterval)
                p.spec = spec
                next[spec.name] = p
            } else {
                next[spec.name] = Self.makePoller(spec, directory: directory, due: clock.now())
            }
        }
        pollers = next
        signal.wake("reconfigured")
    }

    /// Polls the named poller (or every poller of `repository`) now; returns the names polled.
    /// Polls the pollers named `name` or watching `repository` now; each one's name and,
    /// when its poll failed, why.
    ///
    /// Several masters: a poller another master runs is not polled here; its owner is asked
    /// to poll now (``StoreWakeUp/poll(_:)``), and the result says so.
    func pollNow(name: String?, repository: String?) async -> [(name: String, error: String?)] {
        let names = pollers.values.filter { p in
            if let name { return p.spec.name == name }
            if let repository {
                return p.spec.repository == repository || Self.resolve(p.spec.repository, in: directory) == repository
            }
            return false
        }.map(\.spec.name).sorted()
        var results: [(name: String, error: String?)] = []
        for n in names {
            if !jobs.runs(JobOwnership.poller(n)), let shared = store as? any SharedStore {
                do {
                    try await shared.notify(.poll(n))
                    results.append((n, nil))
                } catch {
                    results.append((n, "another master runs this poller, and it could not be asked to poll (\(error)); "
                                    + "send the hook to that master (GET /api/v2/masters lists its jobs), or wait for its poll_interval"))
                }
                continue
            }
            results.append((n, await poll(n)))
        }
        return results
    }

    /// Polls at once each poller among `jobs`, which this master has just taken (at its first
    /// heartbeat, or from a master that died), and returns when they have polled. Its own
    /// schedule skipped them while another master (or none) held them, and the next due time
    /// is a whole `poll_interval` away: the first poll, which records the heads, would otherwise
    /// come with the next push hook and swallow the pushed commit (found by the two-master demo).
    func jobsGained(_ jobs: Set<String>) async {
        for name in pollers.keys.sorted() where jobs.contains(JobOwnership.poller(name)) {
            await poll(name)
        }
    }

    /// A poll asked for on another master, for a poller this master runs (or not: then
    /// nothing happens, the owner heard it too).
    func pollAskedElsewhere(_ name: String) async {
        guard pollers[name] != nil, jobs.runs(JobOwnership.poller(name)) else { return }
        await poll(name)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.pollDue()
                _ = await self.signal.next(deadline: await self.pollers.values.map(\.nextDue).min())
            }
        }
    }

    private func pollDue() async {
        let t = clock.now()
        for name in pollers.keys.sorted() where (pollers[name]?.nextDue ?? .distantFuture) <= t {
            await poll(name)
        }
    }

    /// Polls `name` after any poll of it already running (whose fetch may predate a push
    /// that the caller wants seen).
    /// One poll (after any running one); why it failed, or nil.
    @discardableResult
    private func poll(_ name: String) async -> String? {
        while busy.contains(name) {
            await withCheckedContinuation { queued[name, default: []].append($0) }
        }
        busy.insert(name)
        let failure = await pollSerially(name)
        busy.remove(name)
        for waiter in queued.removeValue(forKey: name) ?? [] { waiter.resume() }
        return failure
    }

    private func pollSerially(_ name: String) async -> String? {
        guard var p = pollers[name] else { return nil }
        p.nextDue = clock.now().addingTimeInterval(p.spec.pollInterval)
        pollers[name] = p
        guard jobs.runs(JobOwnership.poller(name)) else { return nil }
        let log = logger.with("poller", name)
        do {
            let emitted = try await pollOnce(p)
            if p.isFailing { log.notice("poller recovered", metadata: ["repository": "\(p.spec.repository)"]) }
            pollers[name]?.isFailing = false
            if emitted > 0 { log.info("new changes", metadata: ["count": "\(emitted)"]) }
            return nil
        } catch {
            if !p.isFailing {
                log.error("poll failed; retrying every \(DurationText.describe(p.spec.pollInterval)): \(error)",
                          metadata: ["repository": "\(p.spec.repository)"])
            }
            pollers[name]?.isFailing = true
            events.record(.pollFailed, ["poller": .string(name), "repository": .string(p.spec.repository),
                                          "error": .string("\(error)")])
            return "\(error)"
        }
    }

    /// One fetch and comparison; returns how many changes it emitted.
    private func pollOnce(_ p: Poller) async throws -> Int {
        let all = try await p.mirror.fetch()
        let heads = all.filter { p.spec.branches.matches($0.key) }
        guard let old = try await store.pollerHeads(p.spec.name) else {
            try await store.setPollerHeads(p.spec.name, heads)
            return 0
        }
        let known = Array(Set(old.values))
        var emitted = 0
        for (branch, head) in heads.sorted(by: { $0.key < $1.key }) where old[branch] != head {
            let commits = try await p.mirror.commits(toward: head, excluding: known, limit: 100)
            for c in commits {
                try await changes(Change(
                    revision: c.revision, branch: branch, repository: p.spec.repository, project: "",
                    author: "\(c.authorName) <\(c.authorEmail)>", committer: "\(c.committerName) <\(c.committerEmail)>",
                    comments: c.message, files: c.files, when: c.time, source: "git_poller:\(p.spec.name)"))
                emitted += 1
            }
        }
        if heads != old { try await store.setPollerHeads(p.spec.name, heads) }
        return emitted
    }
}
