import Foundation
import Logging
@testable import MinibotMaster
import MinibotCore
import MinibotSQLite
import MinibotTesting
import Synchronization
import Testing

/// Several masters: a `git_poller` this master takes over (first heartbeat, or from a dead
/// master) polls at once, so its first poll (which records the heads) is not left to the next
/// push hook, which would then record the pushed commit as already seen and never build it.
@Suite struct PollerJobGainedTests {
    @Test func aPollerThisMasterTakesOverPollsAtOnceAndTheNextPushIsAChange() async throws {
        let dir = try TemporaryDirectory("minibot-poller-gained")
        let git = try GitFixture()
        defer { git.remove(); dir.remove() }
        _ = try git.commit(["a.txt": "a\n"], message: "base")
        try git.push("main")

        let store = try SQLiteStore(path: dir.appending("state.sqlite").path)
        let clock = ManualClock()
        let jobs = JobOwnership(shared: true)
        let emitted = Mutex([String]())
        let pollers = PollerService(
            specs: [GitPollerSpec(name: "repo", repository: git.remotePath, pollInterval: 600)],
            directory: dir.url, store: store, jobs: jobs, events: EventLog(capacity: 100, clock: clock),
            logger: Logger(label: "test"), clock: clock) { change in emitted.withLock { $0.append(change.revision) } }

        // Held by another master: a poll asked here does nothing, so no heads are recorded.
        _ = await pollers.pollNow(name: "repo", repository: nil)
        #expect(try await store.pollerHeads("repo") == nil)

        // Taken over: it polls now (no clock advance), recording the heads...
        let gained = jobs.hold([JobOwnership.poller("repo")]).gained
        await pollers.jobsGained(gained)
        #expect(try await store.pollerHeads("repo") != nil, "the poller did not poll when its job was taken")
        #expect(emitted.withLock { $0 }.isEmpty, "a first poll emits nothing")

        // ...so the commit pushed next, with its hook, is a change.
        let pushed = try git.commit(["a.txt": "b\n"], message: "one")
        try git.push("main")
        _ = await pollers.pollNow(name: "repo", repository: nil)
        #expect(emitted.withLock { $0 } == [pushed])
    }
}
