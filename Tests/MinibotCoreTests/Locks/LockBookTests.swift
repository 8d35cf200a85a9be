import Testing
import MinibotCore

@Suite struct LockBookTests {
    let cpu = LockSpec(name: "cpu", kind: .master, maxCount: 2)

    @Test func countingAccessesShareUpToMaxCount() {
        var book = LockBook(specs: [cpu])
        #expect(book.acquire([LockAccess(name: "cpu")], worker: nil, owner: .build(1)).isGranted)
        #expect(book.acquire([LockAccess(name: "cpu")], worker: nil, owner: .build(2)).isGranted)
        let third = book.canAcquire([LockAccess(name: "cpu")], worker: nil, owner: .build(3))
        #expect(third == .blocked(lock: LockKey(name: "cpu"), reason: "waiting for lock cpu (held by build 1, build 2)"))
    }

    @Test func exclusiveNeedsNoHolderAndKeepsEveryoneOut() {
        var book = LockBook(specs: [cpu])
        book.acquire([LockAccess(name: "cpu")], worker: nil, owner: .build(1), label: "build test #4")
        #expect(book.canAcquire([LockAccess(name: "cpu", access: .exclusive)], worker: nil, owner: .build(2)).reason
            == "waiting for lock cpu (held by build test #4)")
        book.release(owner: .build(1))
        #expect(book.acquire([LockAccess(name: "cpu", access: .exclusive)], worker: nil, owner: .build(2)).isGranted)
        #expect(book.canAcquire([LockAccess(name: "cpu")], worker: nil, owner: .build(3)).reason
            == "waiting for lock cpu (held by build 2)")
    }

    @Test func exclusiveWaiterIsNotStarvedByLaterCountingOnes() {
        var book = LockBook(specs: [cpu])
        book.acquire([LockAccess(name: "cpu")], worker: nil, owner: .build(1))
        let exclusive = [LockAccess(name: "cpu", access: .exclusive)]
        #expect(!book.canAcquire(exclusive, worker: nil, owner: .request(10)).isGranted)
        book.enqueue(exclusive, worker: nil, owner: .request(10))

        // There is room for a second counting holder, but it would pass the exclusive waiter.
        let later = book.canAcquire([LockAccess(name: "cpu")], worker: nil, owner: .request(11))
        #expect(later.reason == "waiting for lock cpu (queued behind request 10)")
        book.enqueue([LockAccess(name: "cpu")], worker: nil, owner: .request(11))
        #expect(book.waiters(of: LockKey(name: "cpu")) == [.request(10), .request(11)])

        #expect(book.release(owner: .build(1)) == [LockKey(name: "cpu")])
        #expect(!book.canAcquire([LockAccess(name: "cpu")], worker: nil, owner: .request(11)).isGranted)
        #expect(book.acquire(exclusive, worker: nil, owner: .request(10)).isGranted)
        #expect(book.waiters(of: LockKey(name: "cpu")) == [.request(11)])
        book.release(owner: .request(10))
        #expect(book.acquire([LockAccess(name: "cpu")], worker: nil, owner: .request(11)).isGranted)
        #expect(book.waiters(of: LockKey(name: "cpu")).isEmpty)
    }

    @Test func countingWaitersAheadCountAgainstCapacity() {
        var book = LockBook(specs: [cpu])
        book.acquire([LockAccess(name: "cpu")], worker: nil, owner: .build(1))
        book.acquire([LockAccess(name: "cpu")], worker: nil, owner: .build(2))
        book.enqueue([LockAccess(name: "cpu")], worker: nil, owner: .request(10))
        book.enqueue([LockAccess(name: "cpu")], worker: nil, owner: .request(11))
        book.release(owner: .build(1))
        // One place free: the first waiter gets it, the second does not jump the queue.
        #expect(book.canAcquire([LockAccess(name: "cpu")], worker: nil, owner: .request(11)).reason
            == "waiting for lock cpu (queued behind request 10)")
        #expect(book.canAcquire([LockAccess(name: "cpu")], worker: nil, owner: .request(10)).isGranted)
    }

    @Test func severalLocksAreAllOrNothing() {
        var book = LockBook(specs: [LockSpec(name: "a"), LockSpec(name: "b")])
        book.acquire([LockAccess(name: "b")], worker: nil, owner: .build(1))
        let both = [LockAccess(name: "a"), LockAccess(name: "b")]
        #expect(book.acquire(both, worker: nil, owner: .build(2)) ==
            .blocked(lock: LockKey(name: "b"), reason: "waiting for lock b (held by build 1)"))
        #expect(book.holders(of: LockKey(name: "a")).isEmpty)
        #expect(book.locks(heldBy: .build(2)).isEmpty)
        book.release(owner: .build(1))
        #expect(book.acquire(both, worker: nil, owner: .build(2)).isGranted)
        #expect(book.locks(heldBy: .build(2)) == [LockKey(name: "a"), LockKey(name: "b")])
    }

    @Test func enqueueQueuesOnlyOnLocksThatAreNotFree() {
        var book = LockBook(specs: [LockSpec(name: "a"), LockSpec(name: "b")])
        book.acquire([LockAccess(name: "b")], worker: nil, owner: .build(1))
        book.enqueue([LockAccess(name: "a"), LockAccess(name: "b")], worker: nil, owner: .request(5))
        #expect(book.waiters(of: LockKey(name: "a")).isEmpty)
        #expect(book.waiters(of: LockKey(name: "b")) == [.request(5)])
        // Enqueueing again keeps the place.
        book.enqueue([LockAccess(name: "b")], worker: nil, owner: .request(6))
        book.enqueue([LockAccess(name: "b")], worker: nil, owner: .request(5))
        #expect(book.waiters(of: LockKey(name: "b")) == [.request(5), .request(6)])
        book.dequeue(.request(5))
        #expect(book.waiters(of: LockKey(name: "b")) == [.request(6)])
        #expect(!book.isWaiting(.request(5)))
    }

    @Test func workerLocksAreIndependentPerWorkerWithOverrides() {
        let spec = LockSpec(name: "cpu", kind: .worker, maxCount: 1, maxCountForWorker: ["big": 2])
        var book = LockBook(specs: [spec])
        #expect(book.key(for: "cpu", worker: "w1") == LockKey(name: "cpu", worker: "w1"))
        #expect(book.capacity(of: LockKey(name: "cpu", worker: "big")) == 2)
        book.acquire([LockAccess(name: "cpu")], worker: "w1", owner: .build(1))
        #expect(book.canAcquire([LockAccess(name: "cpu")], worker: "w1", owner: .build(2)).reason
            == "waiting for lock cpu on w1 (held by build 1)")
        #expect(book.acquire([LockAccess(name: "cpu")], worker: "w2", owner: .build(2)).isGranted)
        #expect(book.acquire([LockAccess(name: "cpu")], worker: "big", owner: .build(3)).isGranted)
        #expect(book.acquire([LockAccess(name: "cpu")], worker: "big", owner: .build(4)).isGranted)
        #expect(!book.canAcquire([LockAccess(name: "cpu")], worker: "big", owner: .build(5)).isGranted)
    }

    @Test func zeroCapacityOnAWorkerSaysSo() {
        let book = LockBook(specs: [LockSpec(name: "gpu", kind: .worker, maxCount: 1, maxCountForWorker: ["w9": 0])])
        #expect(book.canAcquire([LockAccess(name: "gpu")], worker: "w9", owner: .build(1)).reason
            == "waiting for lock gpu on w9 (max_count is 0 on w9)")
    }

    @Test func unknownLockActsAsAMasterLockOfOne() {
        var book = LockBook()
        #expect(book.acquire([LockAccess(name: "ghost")], worker: "w1", owner: .build(1)).isGranted)
        #expect(book.canAcquire([LockAccess(name: "ghost")], worker: "w2", owner: .build(2)).reason
            == "waiting for lock ghost (held by build 1)")
    }

    @Test func aLockNamedTwiceCountsOnceWithTheStricterMode() {
        var book = LockBook(specs: [cpu])
        book.acquire([LockAccess(name: "cpu"), LockAccess(name: "cpu", access: .exclusive)], worker: nil, owner: .build(1))
        #expect(book.holders(of: LockKey(name: "cpu")) == [LockHolder(owner: .build(1), mode: .exclusive)])
    }

    @Test func reassignTurnsAReservationIntoTheBuildsHold() {
        var book = LockBook(specs: [cpu])
        book.acquire([LockAccess(name: "cpu", access: .exclusive)], worker: nil, owner: .request(7))
        book.reassign(from: .request(7), to: .build(3), label: "build test #3")
        #expect(book.locks(heldBy: .request(7)).isEmpty)
        #expect(book.canAcquire([LockAccess(name: "cpu")], worker: nil, owner: .build(4)).reason
            == "waiting for lock cpu (held by build test #3)")
        #expect(book.release(owner: .build(3)) == [LockKey(name: "cpu")])
        #expect(book.release(owner: .build(3)).isEmpty)
    }

    @Test func stepLocksAreHeldForTheStepAlone() {
        var book = LockBook(specs: [LockSpec(name: "deploy")])
        let step = LockOwner.step(build: 3, step: 2)
        #expect(book.acquire([LockAccess(name: "deploy")], worker: "w1", owner: step).isGranted)
        #expect(book.canAcquire([LockAccess(name: "deploy")], worker: "w2", owner: .step(build: 4, step: 0)).reason
            == "waiting for lock deploy (held by build 3 step 2)")
        book.release(owner: step)
        #expect(book.canAcquire([LockAccess(name: "deploy")], worker: "w2", owner: .step(build: 4, step: 0)).isGranted)
    }

    @Test func reconfigureChangesCapacityButKeepsHolds() {
        var book = LockBook(specs: [LockSpec(name: "cpu", maxCount: 1)])
        book.acquire([LockAccess(name: "cpu")], worker: nil, owner: .build(1))
        #expect(!book.canAcquire([LockAccess(name: "cpu")], worker: nil, owner: .build(2)).isGranted)
        book.reconfigure(specs: [LockSpec(name: "cpu", maxCount: 2)])
        #expect(book.holders(of: LockKey(name: "cpu")).count == 1)
        #expect(book.canAcquire([LockAccess(name: "cpu")], worker: nil, owner: .build(2)).isGranted)
    }

    @Test func longHolderListsAreShortened() {
        var book = LockBook(specs: [LockSpec(name: "cpu", maxCount: 5)])
        for id in 1...5 { book.acquire([LockAccess(name: "cpu")], worker: nil, owner: .build(Int64(id))) }
        #expect(book.canAcquire([LockAccess(name: "cpu")], worker: nil, owner: .build(6)).reason
            == "waiting for lock cpu (held by build 1, build 2, build 3 and 2 more)")
    }
}
