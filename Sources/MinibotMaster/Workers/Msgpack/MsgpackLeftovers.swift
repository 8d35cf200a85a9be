import Synchronization

/// Command ids that were running on a stock worker when its link dropped, by worker name.
/// buildbot-worker 4.3 keeps such commands running, so the worker's next link interrupts them
/// first. Shared by every link of the master process (held by ``MsgpackWorkerEndpoint``);
/// not persisted, so a master restart forgets them.
///
/// A scoped `Mutex`: two short dictionary operations per link, from its own tasks.
final class MsgpackLeftovers: Sendable {
    private let ids = Mutex<[String: Set<String>]>([:])

    func remember(worker: String, commands: Set<String>) {
        guard !commands.isEmpty else { return }
        ids.withLock { $0[worker, default: []].formUnion(commands) }
    }

    func take(worker: String) -> Set<String> {
        ids.withLock { $0.removeValue(forKey: worker) ?? [] }
    }
}
