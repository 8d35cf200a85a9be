import Foundation
import MinibotCore
import Testing

/// Expected starts as plain values, with the time as an argument.
@Suite struct StartEstimatorTests {
    let t0 = Date(timeIntervalSinceReferenceDate: 700_000_000)
    let estimator = StartEstimator(builderWorkers: ["b": ["w1"], "c": ["w1", "w2"], "new": ["w1"]],
                                   typical: ["b": 300, "c": 600])

    func request(_ id: Int64, _ builder: String = "b") -> PendingRequest {
        PendingRequest(id: id, builder: builder, priority: 0, submittedAt: t0)
    }

    @Test("an idle worker: the request starts now")
    func idle() {
        let e = estimator.estimate(queue: [request(1)], workers: [.init(name: "w1")], now: t0)
        #expect(e[1] == StartEstimate(start: t0, explanation: "w1 is free now"))
    }

    @Test("one busy worker: when its running build should end, from the builder's typical duration")
    func busy() {
        let running = StartEstimator.RunningBuild(builder: "b", startedAt: t0.addingTimeInterval(-120))
        let e = estimator.estimate(queue: [request(1)], workers: [.init(name: "w1", running: [running])], now: t0)
        #expect(e[1] == StartEstimate(start: t0.addingTimeInterval(180), explanation: "w1 frees in ~3 min"))
    }

    @Test("two requests ahead on one worker: the remaining time plus their typical durations")
    func twoAhead() {
        let running = StartEstimator.RunningBuild(builder: "b", startedAt: t0.addingTimeInterval(-120))
        let e = estimator.estimate(queue: [request(1), request(2), request(3)],
                                   workers: [.init(name: "w1", running: [running])], now: t0)
        #expect(e[2]?.start == t0.addingTimeInterval(180 + 300))
        #expect(e[3] == StartEstimate(start: t0.addingTimeInterval(180 + 300 + 300),
                                      explanation: "after 2 builds ahead on w1; w1 frees in ~3 min"))
    }

    @Test("unavailable until T: the later of T and the slot's end")
    func unavailableUntil() {
        let running = StartEstimator.RunningBuild(builder: "b", startedAt: t0.addingTimeInterval(-120))
        let later = estimator.estimate(queue: [request(1)], workers: [
            .init(name: "w1", running: [running], availability: .from(t0.addingTimeInterval(600)))], now: t0)
        #expect(later[1] == StartEstimate(start: t0.addingTimeInterval(600), explanation: "w1 usable in ~10 min"))
        let sooner = estimator.estimate(queue: [request(1)], workers: [
            .init(name: "w1", running: [running], availability: .from(t0.addingTimeInterval(60)))], now: t0)
        #expect(sooner[1] == StartEstimate(start: t0.addingTimeInterval(180), explanation: "w1 frees in ~3 min"))
        let idle = estimator.estimate(queue: [request(1)], workers: [
            .init(name: "w1", availability: .from(t0.addingTimeInterval(7200)))], now: t0)
        #expect(idle[1] == StartEstimate(start: t0.addingTimeInterval(7200), explanation: "w1 usable in ~2 h"))
    }

    @Test("unknown durations or a measured condition: no start, and the reason in words")
    func unknown() {
        let untimed = StartEstimator.RunningBuild(builder: "new", startedAt: t0)
        let e = estimator.estimate(queue: [request(1)], workers: [.init(name: "w1", running: [untimed])], now: t0)
        #expect(e[1] == StartEstimate(start: nil, explanation: "unknown: no successful build of new timed yet"))

        // The request of an untimed builder starts on time itself, but what follows it is unknown.
        let chain = estimator.estimate(queue: [request(1, "new"), request(2)], workers: [.init(name: "w1")], now: t0)
        #expect(chain[1]?.start == t0)
        #expect(chain[2]?.start == nil)

        let load = estimator.estimate(queue: [request(1)], workers: [.init(name: "w1", availability: .unknown("when load < 2.4"))],
                                      now: t0)
        #expect(load[1] == StartEstimate(start: nil, explanation: "unknown: w1 waits when load < 2.4"))

        let gone = estimator.estimate(queue: [request(1)], workers: [.init(name: "w1", availability: .never)], now: t0)
        #expect(gone[1] == StartEstimate(start: nil, explanation: "unknown: no usable worker"))
    }

    @Test("several workers: the slot that frees first; an overrunning build is taken to end now")
    func earliestSlot() {
        let long = StartEstimator.RunningBuild(builder: "c", startedAt: t0.addingTimeInterval(-60))
        let overrun = StartEstimator.RunningBuild(builder: "c", startedAt: t0.addingTimeInterval(-900))
        let e = estimator.estimate(queue: [request(1, "c"), request(2, "c")],
                                   workers: [.init(name: "w1", running: [long]), .init(name: "w2", running: [overrun])], now: t0)
        #expect(e[1] == StartEstimate(start: t0, explanation: "w2's build runs past its typical duration"))
        #expect(e[2] == StartEstimate(start: t0.addingTimeInterval(540), explanation: "w1 frees in ~9 min"))
    }

    @Test("a worker with two slots, one free: the first request starts now, the next when the busy slot frees")
    func twoSlots() {
        let running = StartEstimator.RunningBuild(builder: "b", startedAt: t0.addingTimeInterval(-240))
        let e = estimator.estimate(queue: [request(1), request(2)],
                                   workers: [.init(name: "w1", maxBuilds: 2, running: [running])], now: t0)
        #expect(e[1] == StartEstimate(start: t0, explanation: "w1 is free now"))
        #expect(e[2] == StartEstimate(start: t0.addingTimeInterval(60), explanation: "w1 frees in ~1 min"))
    }

    @Test("typical duration: the median of passing finished builds only")
    func typical() {
        func build(_ seconds: Double, _ result: BuildResult?) -> Build {
            Build(builderName: "b", buildRequestID: 1, workerName: "w1", startedAt: t0,
                  completedAt: result == nil ? nil : t0.addingTimeInterval(seconds), results: result)
        }
        #expect(TypicalDuration.of([build(100, .success), build(300, .warnings), build(5, .failure), build(0, nil)]) == 200)
        #expect(TypicalDuration.of([build(5, .failure)]) == nil)
        #expect(TypicalDuration.median([3, 1, 2]) == 2)
    }
}
