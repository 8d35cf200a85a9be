import Dispatch

/// A serial executor that runs an actor's jobs on its own dispatch queue.
///
/// libgit2 calls block their thread (network, disk, packing), and Swift's cooperative pool has
/// one thread per core; an actor whose code runs here keeps those calls off that pool while
/// still letting the compiler check that its repository handle never leaves the actor.
/// (`DispatchSerialQueue` would do this on Darwin, but corelibs-libdispatch lacks it.)
final class QueueExecutor: SerialExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        // A queue with no target uses an overcommitting root queue: it gets a thread even when
        // other queues' threads are blocked in I/O.
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(queue))
    }
}
