import Foundation
import Testing
@testable import MinibotWorker

@Suite("Worker values")
struct WorkerValuesTests {
    @Test func backoffDoublesToTheCapAndResets() {
        var backoff = ReconnectBackoff()
        let delays = (0..<7).map { _ in backoff.nextDelay() }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30), .seconds(30)])
        backoff.reset()
        #expect(backoff.nextDelay() == .seconds(1))
    }

    @Test(arguments: [
        ("http://127.0.0.1:8010", "ws://127.0.0.1:8010/workers/ws"),
        ("http://ci.example.org:8010/", "ws://ci.example.org:8010/workers/ws"),
        ("https://ci.example.org", "wss://ci.example.org/workers/ws"),
        ("ws://[::1]:9000", "ws://[::1]:9000/workers/ws"),
    ])
    func webSocketURLFromTheMasterURL(master: String, expected: String) throws {
        let configuration = WorkerConfiguration(masterURL: master, name: "w", password: "p", basedir: "/tmp")
        #expect(try configuration.webSocketURL() == expected)
    }

    @Test func badMasterURLSaysHowToWriteIt() {
        let configuration = WorkerConfiguration(masterURL: "127.0.0.1:8010", name: "w", password: "p", basedir: "/tmp")
        #expect(throws: WorkerConfigurationError.self) { try configuration.webSocketURL() }
    }

    @Test func loadParsing() throws {
        let parsed = try #require(LoadProbe.parseLoadAverage("0.52 0.58 0.59 1/123 4567\n"))
        #expect(parsed.0 == 0.52 && parsed.1 == 0.58)
        #expect(LoadProbe.parseLoadAverage("garbage") == nil)
        let pressure = "some avg10=1.25 avg60=0.50 avg300=0.10 total=12345\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
        #expect(LoadProbe.parseCPUPressure(pressure) == 1.25)

        let dir = try TempDirectory()
        defer { dir.remove() }
        try "3.5 2.0 1.0 2/300 999\n".write(toFile: dir.file("loadavg"), atomically: true, encoding: .utf8)
        let status = try #require(LoadProbe.sample(loadFile: dir.file("loadavg"), at: Date(timeIntervalSince1970: 0)))
        #expect(status.load1 == 3.5 && status.load5 == 2.0 && status.cpuPressure == nil)
        #expect(LoadProbe.sample(loadFile: dir.file("missing"), at: Date()) == nil)
    }

    @Test func hostFactsAreFilledIn() {
        let info = HostFacts.info(agentSocket: "/run/agent.sock")
        #expect(!info.hostname.isEmpty)
        #expect(info.os.hasPrefix("Linux "))
        #expect(info.cpus >= 1)
        #expect(info.agent == "/run/agent.sock")
    }
}
