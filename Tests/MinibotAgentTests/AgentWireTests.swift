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

    /// Issue 12: relay payloads with absurd numbers are malformed (nil), never a trap.
    @Test func relayPayloadsWithAbsurdNumbersAreMalformed() {
        func decode(_ fields: [String: JSONValue]) -> AgentRelayMessage? { AgentRelayMessage(json: .object(fields)) }
        let lease: JSONValue = .object(["lease": .string("l1"), "token": .number(-1), "since": .string("2025-01-06T10:00:00.000Z"),
                                        "expiresAt": .string("2025-01-06T10:01:00.000Z")])
        #expect(decode(["type": .string("agent_connected"), "agent": .string("a"), "slots": .number(1e300)]) == nil)
        #expect(decode(["type": .string("agent_connected"), "agent": .string("a"), "slots": .number(.nan)]) == nil)
        #expect(decode(["type": .string("agent_connected"), "agent": .string("a"), "slots": .number(2)]) == .connected(agent: "a", slots: 2))
        #expect(decode(["type": .string("agent_decline"), "offer": .number(1e30)]) == nil)
        #expect(decode(["type": .string("agent_decline"), "offer": .number(1.5)]) == nil)
        #expect(decode(["type": .string("agent_decline"), "offer": .number(7)]) == .decline(offer: 7))
        #expect(decode(["type": .string("agent_lease"), "offer": .number(1), "lease": lease]) == nil)
        for priority in [Double(Int.max), -1e19, 1e300, 0.5] {
            #expect(decode(["type": .string("agent_subscribe"), "subscription": .string("s"), "master": .string("m"),
                            "builder": .string("b"), "priority": .number(priority)]) == nil)
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
