import Foundation
import MinibotAgent
import MinibotCore
import MinibotHostFacts
import Testing

/// `agent.yaml` goes through master.cfg's reader: every problem, `file:line:column`, "did you mean".
@Suite struct AgentConfigurationTests {
    let base = AgentConfiguration(socket: .init(path: "/tmp/a.sock"), arbiter: .init(maxLoad: 2))

    func parse(_ yaml: String) throws(ConfigErrors) -> AgentConfiguration {
        try AgentConfiguration.parse(yaml: yaml, file: "agent.yaml", base: base)
    }

    func problems(_ yaml: String) -> [String] {
        do {
            _ = try parse(yaml)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test func readsEverySetting() throws {
        let parsed = try parse("""
            slots: 2
            max_load: 3
            settle: 1m30s
            lease_ttl: 10s
            offer_timeout: 500ms
            socket_mode: "0600"
            sample_interval: 2s
            windows: [{when: "Mon-Fri 09:00-17:00", timezone: Asia/Tokyo, lead: 15m}, "Sat,Sun"]
            """)
        #expect(parsed.arbiter.slots == 2 && parsed.arbiter.maxLoad == 3 && parsed.arbiter.settle == 90)
        #expect(parsed.arbiter.leaseTTL == 10 && parsed.arbiter.offerTimeout == 0.5)
        #expect(abs((parsed.arbiter.effectiveResumeLoad ?? 0) - 2.4) < 1e-9)
        #expect(parsed.socket.mode == 0o600 && parsed.load.sampleInterval == 2)
        #expect(parsed.windows.count == 2)
        #expect(parsed.windows[0].lead == 900 && parsed.windows[0].window.timeZone.identifier == "Asia/Tokyo")
        #expect(parsed.socket.path == "/tmp/a.sock")
    }

    @Test func anEmptyFileKeepsTheDefaultsAndNullClearsALimit() throws {
        #expect(try parse("") == base)
        #expect(try parse("# nothing\n") == base)
        #expect(try parse("max_load: null\n").arbiter.maxLoad == nil)
        #expect(try parse("max_load: none\n").arbiter.maxLoad == nil)
        #expect(try parse("max_builds: 3\n").arbiter.slots == 3)
    }

    @Test func theFlightRecorderIsBesideTheSocketUnlessSetOrOff() throws {
        #expect(base.samplesPath == "/tmp/a.sock.samples.mbfr")
        #expect(try parse("samples: /var/lib/minibot/s.mbfr\n").samplesPath == "/var/lib/minibot/s.mbfr")
        #expect(try parse("samples: none\n").samplesPath == nil)
        #expect(try parse("socket: /run/b.sock\n").samplesPath == "/run/b.sock.samples.mbfr")
    }

    @Test func everyProblemIsReportedWithItsPosition() {
        let found = problems("""
            slots: 0
            settle: soon
            max_lod: 3
            socket_mode: "999"
            windows: [{when: "Someday 09:00-17:00"}, {when: "Mon 09:00-10:00", mood: advisory}]
            """)
        #expect(found.count == 6, "\(found)")
        #expect(found.contains("agent.yaml:1:8: 'slots' must be between 1 and 1024, found 0"))
        #expect(found.contains { $0.hasPrefix("agent.yaml:2:9: 'soon' is not a duration for 'settle'") })
        #expect(found.contains { $0.hasPrefix("agent.yaml:3:1: unknown key 'max_lod' in the agent configuration") && $0.contains("did you mean 'max_load'?") })
        #expect(found.contains { $0.hasPrefix("agent.yaml:4:14: socket_mode must be an octal mode") })
        #expect(found.contains { $0.hasPrefix("agent.yaml:5:18: bad window 'Someday 09:00-17:00'") })
        #expect(found.contains { $0.hasPrefix("agent.yaml:5:68: unknown key 'mood' in a window; allowed keys: when, timezone, mode") })
    }

    @Test func numbersAndDurationsAreBounded() {
        for bad in ["max_load: .inf", "max_load: 1e300", "max_load: -1", "max_cpu_pressure: 101", "grant_load: nan",
                    "settle: inf", "settle: 1e300", "lease_ttl: 0s", "offer_timeout: infinity", "sample_interval: 400d",
                    "slots: 9223372036854775808", "resume_load: 3"] {
            #expect(problems(bad).count == 1, "\(bad) accepted")
        }
    }

    @Test func syntaxErrorsNameThePosition() {
        let found = problems("slots: 1\n  bogus: [\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("agent.yaml:2:") == true)
    }

    @Test func theCommandLineUsesTheSameRules() {
        #expect(AgentConfiguration.checkedSlots(0) == nil && AgentConfiguration.checkedSlots(4) == 4)
        #expect(AgentConfiguration.checkedLoad(.infinity) == nil && AgentConfiguration.checkedLoad(.nan) == nil)
        #expect(AgentConfiguration.checkedLoad(3) == 3)
        #expect(AgentConfiguration.socketMode("0660") == 0o660 && AgentConfiguration.socketMode("00660") == nil)
        #expect(AgentConfiguration.positiveDuration("0s") == nil && AgentConfiguration.positiveDuration("inf") == nil)
    }
}
