import Foundation
import MinibotHostFacts
import Testing

/// `loginctl`'s answers as outside input: what is read, and what is refused.
@Suite struct LogindSessionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("show-session: idle since a time, active, locked")
    func states() throws {
        let idle = try #require(LogindSession.parse("IdleHint=yes\nIdleSinceHint=1799999880000000\nLockedHint=no\n"))
        #expect(idle == LogindSession(isIdle: true, idleSince: now.addingTimeInterval(-120)))
        #expect(idle.idleSeconds(now: now) == 120)

        let active = try #require(LogindSession.parse("IdleHint=no\nIdleSinceHint=1799999000000000\n"))
        #expect(active.idleSeconds(now: now) == 0)

        let locked = try #require(LogindSession.parse("IdleHint=no\nLockedHint=yes\n"))
        #expect(locked.idleSeconds(now: now) == nil)

        // Idle since the future (a clock step) or never: idle from now on.
        #expect(LogindSession.parse("IdleHint=yes\nIdleSinceHint=1900000000000000")?.idleSeconds(now: now) == 0)
        #expect(LogindSession.parse("IdleHint=yes\nIdleSinceHint=0")?.idleSeconds(now: now) == 0)
    }

    @Test("hostile answers are refused, not guessed; noise is skipped")
    func hostile() {
        #expect(LogindSession.parse("") == nil)
        #expect(LogindSession.parse("IdleHint=maybe") == nil)
        #expect(LogindSession.parse("IdleHint=yes\nIdleSinceHint=-5") == nil)
        #expect(LogindSession.parse("IdleHint=yes\nIdleSinceHint=99999999999999999999999") == nil)
        #expect(LogindSession.parse("IdleHint=yes\nIdleSinceHint=1e18") == nil)
        #expect(LogindSession.parse("IdleHint=yes\nLockedHint=perhaps") == nil)
        #expect(LogindSession.parse("garbage\n\u{0}\u{7F}==\nIdleHint=no\nIdleHint=yes")?.isIdle == false)  // first wins
        let huge = String(repeating: "x", count: 200_000) + "\nIdleHint=no"
        #expect(LogindSession.parse(huge) == nil)  // beyond the bytes read
    }

    @Test("show-seat: the active session's id, or none")
    func seat() {
        #expect(LogindSession.activeSession("ActiveSession=3\n") == "3")
        #expect(LogindSession.activeSession("ActiveSession=c2\n") == "c2")
        #expect(LogindSession.activeSession("ActiveSession=\n") == "")  // nobody at the keyboard
        #expect(LogindSession.activeSession("ActiveSession=3; rm -rf ~") == nil)
        #expect(LogindSession.activeSession("ActiveSession=" + String(repeating: "1", count: 65)) == nil)
        #expect(LogindSession.activeSession("Failed to get seat") == nil)
    }
}
