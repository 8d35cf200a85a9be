import Foundation
@testable import MinibotMaster
import Testing

@Suite struct HelloThrottleTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func eachFailureDoublesTheDelayUpToTheCap() {
        var throttle = HelloThrottle()
        #expect(throttle.delay(for: "10.0.0.1", now: t0) == 0)
        var delays: [TimeInterval] = []
        for _ in 0..<8 {
            throttle.failed("10.0.0.1", now: t0)
            delays.append(throttle.delay(for: "10.0.0.1", now: t0))
        }
        #expect(delays == [0.25, 0.5, 1, 2, 4, 8, 10, 10])
        #expect(throttle.delay(for: "10.0.0.2", now: t0) == 0, "another address is not slowed")
    }

    @Test func aSuccessOrQuietTimeForgets() {
        var throttle = HelloThrottle()
        throttle.failed("a", now: t0)
        throttle.failed("b", now: t0)
        throttle.succeeded("a")
        #expect(throttle.delay(for: "a", now: t0) == 0)
        #expect(throttle.delay(for: "b", now: t0.addingTimeInterval(HelloThrottle.forgetAfter)) == 0)
        throttle.failed("b", now: t0.addingTimeInterval(HelloThrottle.forgetAfter))
        #expect(throttle.delay(for: "b", now: t0.addingTimeInterval(HelloThrottle.forgetAfter)) == 0.25)
    }

    @Test func theTableIsBounded() {
        var throttle = HelloThrottle(capacity: 100)
        for i in 0..<10_000 { throttle.failed("10.0.\(i / 256).\(i % 256)", now: t0.addingTimeInterval(Double(i))) }
        #expect(throttle.count <= 100)
        // The most recent failures are the ones kept.
        #expect(throttle.delay(for: "10.0.39.15", now: t0.addingTimeInterval(10_000)) > 0)
    }
}
