import MinibotCore
import Synchronization

/// Which one-master jobs this master runs: a `single_branch` scheduler (so two masters never
/// both submit a buildset for one change) and a `git_poller` (so a commit is recorded once).
///
/// Alone on its database (SQLite) a master runs every job. Sharing one (a ``SharedStore``)
/// it runs only the jobs whose rows it holds: ``LivenessService`` takes and renews them with
/// each heartbeat (``SharedStore/holdJobs(_:master:lease:)``), so a job moves to another
/// master within one lease when its master dies. Until the first heartbeat it runs none.
final class JobOwnership: Sendable {
    /// nil: every job (one master on its own database).
    private let held: Mutex<Set<String>?>

    init(shared: Bool) {
        held = Mutex(shared ? [] : nil)
    }

    /// Whether this master runs `job` now.
    func runs(_ job: String) -> Bool {
        held.withLock { $0?.contains(job) ?? true }
    }

    /// The jobs held from now on; returns those newly held and those given up.
    @discardableResult
    func hold(_ jobs: Set<String>) -> (gained: Set<String>, lost: Set<String>) {
        held.withLock { current in
            let before = current ?? []
            current = jobs
            return (jobs.subtracting(before), before.subtracting(jobs))
        }
    }

    static func scheduler(_ name: String) -> String { "scheduler:\(name)" }
    static func poller(_ name: String) -> String { "poller:\(name)" }

    /// The one-master jobs `config` defines (force schedulers are not jobs: any master takes
    /// a forced build).
    static func jobs(of config: MasterConfig) -> [String] {
        var jobs: [String] = []
        for case .singleBranch(let s) in config.schedulers { jobs.append(scheduler(s.name)) }
        for p in config.gitPollers { jobs.append(poller(p.name)) }
        return jobs.sorted()
    }
}
