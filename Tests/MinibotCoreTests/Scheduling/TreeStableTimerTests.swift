import Foundation
import Testing
import MinibotCore

private let t0 = Date(timeIntervalSinceReferenceDate: 700_000_000)

private func change(_ revision: String, branch: String = "main", repository: String = "/srv/git/demo.git") -> Change {
    Change(revision: revision, branch: branch, repository: repository, author: "A <a@example.com>",
           comments: "commit \(revision)", when: t0, source: "poller")
}

@Suite struct TreeStableTimerTests {
    @Test func zeroTimerFiresOnTheChangeItself() {
        var timer = TreeStableTimer(stableFor: 0)
        let firing = timer.changeArrived(change("a1"), now: t0)
        #expect(firing?.newest.revision == "a1")
        #expect(firing?.key == .init(repository: "/srv/git/demo.git", branch: "main"))
        #expect(timer.nextDeadline == nil)
        #expect(timer.due(now: t0.addingTimeInterval(100)).isEmpty)
    }

    @Test func eachChangeRestartsTheQuietTimeAndTheFiringCarriesAllChanges() {
        var timer = TreeStableTimer(stableFor: 10)
        #expect(timer.changeArrived(change("a1"), now: t0) == nil)
        #expect(timer.nextDeadline == t0.addingTimeInterval(10))
        #expect(timer.changeArrived(change("a2"), now: t0.addingTimeInterval(8)) == nil)
        #expect(timer.nextDeadline == t0.addingTimeInterval(18))
        #expect(timer.due(now: t0.addingTimeInterval(12)).isEmpty)

        let fired = timer.due(now: t0.addingTimeInterval(18))
        #expect(fired.count == 1)
        #expect(fired.first?.newest.revision == "a2")
        #expect(fired.first?.changes.map(\.revision) == ["a1", "a2"])
        #expect(timer.nextDeadline == nil)
        #expect(timer.due(now: t0.addingTimeInterval(100)).isEmpty)
    }

    @Test func branchesAndRepositoriesHaveTheirOwnTimers() {
        var timer = TreeStableTimer(stableFor: 5)
        _ = timer.changeArrived(change("a1", branch: "main"), now: t0)
        _ = timer.changeArrived(change("b1", branch: "release/1"), now: t0.addingTimeInterval(2))
        _ = timer.changeArrived(change("c1", repository: "/srv/git/other.git"), now: t0.addingTimeInterval(3))
        #expect(timer.due(now: t0.addingTimeInterval(5)).map(\.newest.revision) == ["a1"])
        #expect(timer.due(now: t0.addingTimeInterval(9)).map(\.newest.revision) == ["b1", "c1"])
    }

    @Test func unimportantChangesWaitForAnImportantOneWithoutRestartingTheTimer() {
        var timer = TreeStableTimer(stableFor: 10)
        #expect(timer.changeArrived(change("docs1"), isImportant: false, now: t0) == nil)
        #expect(timer.nextDeadline == nil)
        #expect(timer.due(now: t0.addingTimeInterval(60)).isEmpty)

        _ = timer.changeArrived(change("code1"), now: t0.addingTimeInterval(60))
        _ = timer.changeArrived(change("docs2"), isImportant: false, now: t0.addingTimeInterval(65))
        #expect(timer.nextDeadline == t0.addingTimeInterval(70))
        let fired = timer.due(now: t0.addingTimeInterval(70))
        #expect(fired.first?.changes.map(\.revision) == ["docs1", "code1", "docs2"])
        #expect(fired.first?.newest.revision == "docs2")
    }

    @Test func zeroTimerTakesEarlierUnimportantChangesAlong() {
        var timer = TreeStableTimer(stableFor: 0)
        #expect(timer.changeArrived(change("docs1"), isImportant: false, now: t0) == nil)
        #expect(timer.changeArrived(change("code1"), now: t0)?.changes.map(\.revision) == ["docs1", "code1"])
        #expect(timer.waitingChanges.isEmpty)
    }
}
