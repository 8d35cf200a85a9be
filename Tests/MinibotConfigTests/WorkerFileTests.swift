import MinibotConfig
import MinibotCore
import Testing

/// `worker.yaml` goes through master.cfg's reader.
@Suite struct WorkerFileTests {
    func parse(_ text: String) throws(ConfigErrors) -> WorkerFile {
        try WorkerFile.parse(YAMLDocument(text: text, path: "worker.yaml"))
    }

    func problems(_ text: String) -> [String] {
        do {
            _ = try parse(text)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test func whatCreateWorkerWritesReadsBack() throws {
        let file = WorkerFile(master: "http://127.0.0.1:8010", name: "w1", password: "p: #'\"\\ {x}\n",
                              basedir: "../build dir", statusInterval: 2.5, agent: "/run/a.sock")
        #expect(try parse(file.text) == file)
    }

    @Test func theFlightRecorderFileIsASetting() throws {
        var file = WorkerFile(master: "http://127.0.0.1:8010", name: "w1", password: "pw")
        file.samples = "none"
        #expect(try parse(file.text) == file)
        #expect(try parse("master: http://m\nname: w\npassword: p\nsamples: rec/samples.mbfr\n").samples == "rec/samples.mbfr")
        #expect(try parse("master: http://m\nname: w\npassword: p\n").samples == nil)
    }

    @Test func everyProblemIsReportedWithItsPosition() {
        let found = problems("""
            master: http://127.0.0.1:8010
            nmae: w1
            status_interval: forever
            """)
        #expect(found.count == 4)
        #expect(found.contains { $0.hasPrefix("worker.yaml:2:1: unknown key 'nmae' in the worker file") && $0.contains("did you mean 'name'?") })
        #expect(found.contains { $0.hasPrefix("worker.yaml:3:18: 'forever' is not a duration") })
        #expect(found.contains { $0.hasPrefix("worker.yaml:1:1: missing 'name'") })
        #expect(found.contains { $0.hasPrefix("worker.yaml:1:1: missing 'password'") })
    }

    @Test func anEmptyFileIsRefused() {
        #expect(problems("").count == 1)
        #expect(problems("- a list\n").first?.contains("expected a mapping for the worker file") == true)
    }
}
