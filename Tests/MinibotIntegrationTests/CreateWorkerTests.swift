import Foundation
import MinibotTesting
import Testing

/// `minibot-worker create-worker`: the options a started worker takes go into worker.yaml too.
@Suite("minibot-worker create-worker")
struct CreateWorkerTests {
    static func createWorker(_ arguments: [String], in dir: TemporaryDirectory) async throws -> (status: Int32, log: String) {
        let process = try ChildProcess(Binaries.path("minibot-worker"), ["create-worker"] + arguments, name: "create-worker",
                                       logPath: dir.appending("create-\(UUID().uuidString.prefix(8)).log").path)
        guard let status = await process.waitForExit(timeout: 60) else {
            process.signal(SIGKILL)
            throw FixtureError("create-worker did not end")
        }
        return (status, process.log)
    }

    @Test func writesTheAgentTheLoadFileAndTheRecorderIntoWorkerYAML() async throws {
        let dir = try TemporaryDirectory("create-worker")
        defer { dir.remove() }
        let password = dir.appending("pw").path
        try "s3cret\n".write(toFile: password, atomically: true, encoding: .utf8)
        let worker = dir.appending("w1").path
        let arguments = [worker, "--master", "http://127.0.0.1:8010", "--name", "w1", "--password-file", password,
                         "--agent", "/run/minibot-agent.sock", "--load-file", dir.appending("load").path,
                         "--samples-file", "none"]
        let created = try await Self.createWorker(arguments, in: dir)
        #expect(created.status == 0, "\(created.log)")
        let yaml = try String(contentsOfFile: worker + "/worker.yaml", encoding: .utf8)
        #expect(yaml.contains("agent: \"/run/minibot-agent.sock\"\n"), "\(yaml)")
        #expect(yaml.contains("load_file: \"\(dir.appending("load").path)\"\n"), "\(yaml)")
        #expect(yaml.contains("samples: \"none\"\n") && yaml.contains("password: \"s3cret\"\n"))
        let mode = try FileManager.default.attributesOfItem(atPath: worker + "/worker.yaml")[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // Once written, it is not replaced without --force; an empty option is refused.
        let again = try await Self.createWorker(arguments, in: dir)
        #expect(again.status != 0 && again.log.contains("already exists"), "\(again.log)")
        let empty = try await Self.createWorker([dir.appending("w2").path, "--master", "http://127.0.0.1:8010", "--name", "w2",
                                                 "--password", "pw", "--agent", ""], in: dir)
        #expect(empty.status != 0 && empty.log.contains("--agent must not be empty"), "\(empty.log)")
    }
}
