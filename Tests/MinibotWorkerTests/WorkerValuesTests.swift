import Foundation
import MinibotCore
import MinibotHostFacts
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

    @Test func loadReportsComeFromTheLoadFile() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try "3.5 2.0 1.0 2/300 999\n".write(toFile: dir.file("loadavg"), atomically: true, encoding: .utf8)
        let configuration = WorkerConfiguration(masterURL: "http://127.0.0.1:1", name: "w", password: "p",
                                                basedir: dir.path, loadFile: dir.file("loadavg"))
        let status = WorkerStatus(try configuration.loadReader.read(at: Date(timeIntervalSince1970: 0)))
        #expect(status.load1 == 3.5 && status.load5 == 2.0 && status.cpuPressure == nil)
        #expect(status.time == Date(timeIntervalSince1970: 0))
        var missing = configuration
        missing.loadFile = dir.file("missing")
        #expect(throws: LoadReaderError.self) { try missing.loadReader.read(at: Date()) }
    }

    /// The load file's memory, IO and free-memory lines reach the report; a figure the master
    /// would refuse (a pressure of 250 %) is left out, not the whole report.
    @Test func loadFileCarriesPressuresAndFreeMemory() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try "0.5 0.5 0.5 1/10 9\nmemory some avg10=23.40 avg60=0 avg300=0 total=0\nio some avg10=250 avg60=0 avg300=0 total=0\nMemAvailable: 1048576 kB\n"
            .write(toFile: dir.file("load"), atomically: true, encoding: .utf8)
        let configuration = WorkerConfiguration(masterURL: "http://127.0.0.1:1", name: "w", password: "p",
                                                basedir: dir.path, loadFile: dir.file("load"))
        let status = WorkerStatus(try configuration.loadReader.read(at: Date(timeIntervalSince1970: 0)))
        #expect(status.memoryPressure == 23.4)
        #expect(status.ioPressure == nil)
        #expect(status.freeMemory == 1_073_741_824.0)
    }

    @Test func hostFactsAreFilledIn() {
        let info = HostFacts.info(agentSocket: "/run/agent.sock")
        #expect(!info.hostname.isEmpty)
        #expect(info.os.hasPrefix("Linux "))
        #expect(info.cpus >= 1)
        #expect(info.facts["agent"] == "/run/agent.sock")
    }
}
