import Foundation
@testable import MinibotMaster
import Testing

@Suite struct ReplayGuardTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func aFreshSignatureIsTakenOnce() {
        var guardian = ReplayGuard()
        #expect(guardian.admit(signature: "a", timestamp: t0, now: t0) == nil)
        #expect(guardian.admit(signature: "a", timestamp: t0, now: t0.addingTimeInterval(1))?.contains("replay") == true)
        #expect(guardian.admit(signature: "b", timestamp: t0, now: t0.addingTimeInterval(1)) == nil)
    }

    @Test func timestampsFurtherThanFiveMinutesAreRefused() {
        var guardian = ReplayGuard()
        #expect(guardian.admit(signature: "old", timestamp: t0, now: t0.addingTimeInterval(301))?.contains("too old") == true)
        #expect(guardian.admit(signature: "new", timestamp: t0.addingTimeInterval(301), now: t0)?.contains("future") == true)
        #expect(guardian.admit(signature: "edge", timestamp: t0, now: t0.addingTimeInterval(300)) == nil)
    }

    @Test func memoryIsBoundedAndForgetsOnlyWhatCanNoLongerBeReplayed() {
        var guardian = ReplayGuard(capacity: 3)
        for i in 0..<5 { #expect(guardian.admit(signature: "s\(i)", timestamp: t0, now: t0) == nil) }
        #expect(guardian.count == 3)
        // Past twice the window, a remembered signature is too old anyway: it is dropped.
        _ = guardian.admit(signature: "late", timestamp: t0.addingTimeInterval(700), now: t0.addingTimeInterval(700))
        #expect(guardian.count == 1)
    }
}

@Suite struct CrossSiteGuardTests {
    @Test func origins() {
        #expect(CrossSiteGuard.originRefusal(origin: nil, host: "127.0.0.1:8010") == nil)
        #expect(CrossSiteGuard.originRefusal(origin: "http://127.0.0.1:8010", host: "127.0.0.1:8010") == nil)
        #expect(CrossSiteGuard.originRefusal(origin: "https://CI.example.org", host: "ci.example.org") == nil)
        #expect(CrossSiteGuard.originRefusal(origin: "http://evil.example", host: "127.0.0.1:8010") != nil)
        #expect(CrossSiteGuard.originRefusal(origin: "http://127.0.0.1:9999", host: "127.0.0.1:8010") != nil)
        #expect(CrossSiteGuard.originRefusal(origin: "null", host: "127.0.0.1:8010") != nil)
        #expect(CrossSiteGuard.originRefusal(origin: "http://x", host: nil) != nil)
        #expect(CrossSiteGuard.isSafe(method: "GET") && !CrossSiteGuard.isSafe(method: "POST"))
    }

    @Test func unsignedHook() {
        func refusal(_ address: String?, _ host: String? = "127.0.0.1:8010", type: String? = "application/json",
                     event: Bool = false) -> String? {
            CrossSiteGuard.unsignedHookRefusal(remoteAddress: address, host: host, contentType: type, hasEventHeader: event)
        }
        #expect(refusal("127.0.0.1") == nil)
        #expect(refusal("::1", "[::1]:8010") == nil)
        #expect(refusal("::ffff:127.0.0.1", "localhost:8010") == nil)
        #expect(refusal("127.0.0.1", type: "application/x-www-form-urlencoded", event: true) == nil)
        #expect(refusal("127.0.0.1", type: "application/x-www-form-urlencoded")?.contains("X-Minibot-Event") == true)
        #expect(refusal("127.0.0.1", type: "text/plain") != nil)
        #expect(refusal("127.0.0.1", type: nil) != nil)
        #expect(refusal("10.0.0.5")?.contains("loopback") == true)
        #expect(refusal(nil) != nil)
        #expect(refusal("127.0.0.1", "evil.example:8010") != nil)
        #expect(refusal("127.0.0.1", "127.0.0.1.evil.example") != nil)
        #expect(refusal("127.0.0.1", "[::2]:8010") != nil)
    }
}
