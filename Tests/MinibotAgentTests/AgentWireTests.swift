import Foundation
import MinibotAgent
import MinibotCore
import MinibotHostFacts
import MinibotProtocol
import Testing

@Suite struct AgentWireTests {
    @Test func messagesAreFlatJSONObjectsWithAType() throws {
        let request = AgentRequest.claim(.init(id: 3, offer: 7, build: "12"))
        let data = try JSONEncoder().encode(request)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["type"] as? String == "claim")
        #expect(object["offer"] as? Int == 7)
        #expect(try JSONDecoder().decode(AgentRequest.self, from: data) == request)

        let line = #"{"type":"waiting","subscription":"s","reason":"load 3.4 > 3.0"}"#
        #expect(try JSONDecoder().decode(AgentEvent.self, from: Data(line.utf8))
            == .waiting(.init(subscription: "s", reason: "load 3.4 > 3.0", until: nil)))
    }

    @Test func configurationErrorsNameFileLineAndColumn() throws {
        let base = AgentConfiguration(socket: .init(path: "/tmp/a.sock"))
        let parsed = try AgentConfiguration.parse(yaml: "slots: 2\nmax_load: 3\nsettle: 1m30s\nlease_ttl: 10s\n", file: "agent.yaml", base: base)
        #expect(parsed.arbiter.slots == 2 && parsed.arbiter.maxLoad == 3 && parsed.arbiter.settle == 90 && parsed.arbiter.leaseTTL == 10)
        #expect(abs((parsed.arbiter.effectiveResumeLoad ?? 0) - 2.4) < 1e-9)
        #expect(throws: AgentConfigurationError(file: "agent.yaml", line: 2, column: 9, message: "expected a duration such as 30s, 5m, 1h30m, 500ms (or seconds)")) {
            try AgentConfiguration.parse(yaml: "slots: 1\nsettle: soon\n", file: "agent.yaml", base: base)
        }
        do {
            _ = try AgentConfiguration.parse(yaml: "slots: 1\n  bogus: [\n", file: "agent.yaml", base: base)
            Issue.record("bad YAML accepted")
        } catch let error as AgentConfigurationError {
            #expect(error.description.hasPrefix("agent.yaml:"))
        }
    }

    @Test func loadReaderParsesProcFormats() throws {
        #expect(LoadReader.parseLoadAverage("0.52 0.40 0.31 1/123 4567\n").map { [$0.0, $0.1, $0.2] } == [0.52, 0.40, 0.31])
        #expect(LoadReader.parseLoadAverage("garbage") == nil)
        #expect(LoadReader.parsePressureSomeAvg10("some avg10=1.23 avg60=0.50 avg300=0.10 total=12345\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n") == 1.23)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("loadavg-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "2.00 1.50 1.00 3/200 999\nsome avg10=12.50 avg60=1 avg300=1 total=1\n".write(toFile: file, atomically: true, encoding: .utf8)
        let sample = try LoadReader(source: .file(file)).read(at: Date(timeIntervalSince1970: 0))
        #expect(sample == LoadSample(load1: 2, load5: 1.5, load15: 1, cpuPressureSome10: 12.5, time: Date(timeIntervalSince1970: 0)))
    }
}
