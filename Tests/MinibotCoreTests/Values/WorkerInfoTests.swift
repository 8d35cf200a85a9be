import Foundation
import MinibotCore
import Testing

@Suite struct WorkerInfoTests {
    @Test func factsRoundTrip() throws {
        let info = WorkerInfo(hostname: "h", os: "Linux", cpus: 4, version: "v", facts: ["agent": "/run/a.sock"])
        let back = try JSONDecoder().decode(WorkerInfo.self, from: JSONEncoder().encode(info))
        #expect(back == info)
    }

    /// Stored worker records and workers from before `facts` carry `agent` as a field.
    @Test func theLegacyAgentFieldBecomesAFact() throws {
        let json = #"{"hostname":"h","os":"Linux","cpus":2,"version":"v","agent":"/run/a.sock"}"#
        let info = try JSONDecoder().decode(WorkerInfo.self, from: Data(json.utf8))
        #expect(info.facts == ["agent": "/run/a.sock"])
    }

    @Test func noFactsAtAll() throws {
        let json = #"{"hostname":"h","os":"Linux","cpus":2,"version":"v"}"#
        #expect(try JSONDecoder().decode(WorkerInfo.self, from: Data(json.utf8)).facts.isEmpty)
    }
}
