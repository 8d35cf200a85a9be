import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 12: what the master's and a worker's processes and files let others see or do.
@Suite("Files, limits and one process per directory", .serialized)
struct ProcessSafetyTests {
    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("create-master writes master.cfg, admin.token and change_hook.secret readable by their owner only")
    func createMasterFilesArePrivate() async throws {
        try await Scene.run("create-master-modes") { scene in
            let dir = scene.dir.appending("fresh").path
            let run = try await scene.cli(["create-master", dir])
            #expect(run.status == 0, "\(run.stderr)")
            for file in ["master.cfg", "admin.token", "change_hook.secret"] {
                #expect(try Self.mode("\(dir)/\(file)") == 0o600, "\(file)")
            }
            let secret = try String(contentsOfFile: "\(dir)/change_hook.secret", encoding: .utf8)
            #expect(secret.trimmingCharacters(in: .whitespacesAndNewlines).count == 32)
        }
    }

    @Test("a second master on the same directory exits non-zero with `already running (pid N)` and changes nothing")
    func oneMasterPerDirectory() async throws {
        try await Scene.run("one-master") { scene in
            let gate = scene.path("gate")
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: """
              - name: b
                workers: [w1]
                steps:
                  - shell: {command: "\(waitForFileCommand(gate))"}
            """, builderNames: ["b"]))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            let request = try await master.force("b")
            _ = try await events.buildStarted(request: request)
            let pidFile = master.directory.appendingPathComponent("minibot.pid").path
            let pidBefore = try String(contentsOfFile: pidFile, encoding: .utf8)

            let second = try await scene.cli(["start", master.directory.path, "--port", "0"])
            #expect(second.status != 0)
            #expect(second.stderr.contains("already running (pid \(master.process.pid))"), "\(second.stderr)")
            #expect(try String(contentsOfFile: pidFile, encoding: .utf8) == pidBefore)

            // The live build was not touched (a second master would have marked it RETRY).
            let builds = try await master.builds("b")
            #expect(builds.count == 1)
            #expect(builds.first?["complete"]?.boolValue == false)
            touch(gate)
            #expect(try await events.buildFinished(request: request)["results_name"]?.stringValue == "SUCCESS")

            // What the master created is its user's alone, and it raised its open-file limit.
            #expect(try Self.mode(master.directory.appendingPathComponent("state.sqlite").path) == 0o600)
            #expect(try Self.mode(pidFile) == 0o600)
            let limits = try String(contentsOfFile: "/proc/\(master.process.pid)/limits", encoding: .utf8)
            let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
            let numbers = line.split(separator: " ").compactMap { Int($0) }
            #expect(numbers.count == 2 && numbers[0] == numbers[1], "\(line)")
        }
    }

    @Test("a worker reads its password from --password-file")
    func passwordFile() async throws {
        try await Scene.run("password-file") { scene in
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: """
              - name: b
                workers: [w1]
                steps:
                  - shell: {command: "true"}
            """, builderNames: ["b"]))
            let file = scene.path("w1.password")
            _ = FileManager.default.createFile(atPath: file, contents: Data("pw\n".utf8), attributes: [.posixPermissions: 0o600])
            let events = try await master.events()
            let basedir = scene.dir.appending("w1")
            try FileManager.default.createDirectory(at: basedir, withIntermediateDirectories: true)
            scene.track(try ChildProcess(Binaries.path("minibot-worker"),
                                         ["start", "--master", master.url, "--name", "w1", "--password-file", file,
                                          "--basedir", basedir.path],
                                         name: "worker w1", logPath: scene.path("worker-w1.log")))
            try await events.workerAttached("w1")
        }
    }

    @Test("a second worker on the same base directory, and a second agent on the same socket, exit non-zero and change nothing")
    func oneWorkerAndOneAgent() async throws {
        try await Scene.run("one-worker") { scene in
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: """
              - name: b
                workers: [w1]
                steps:
                  - shell: {command: "true"}
            """, builderNames: ["b"]))
            let worker = try #require(try await scene.workers(["w1"], master: master).first)
            let second = scene.track(try ChildProcess(
                Binaries.path("minibot-worker"),
                ["start", "--master", master.url, "--name", "w1", "--password", "pw", "--basedir", scene.dir.appending("w1").path],
                name: "second worker w1", logPath: scene.path("second-worker.log")))
            let status = await second.waitForExit(timeout: 120)
            #expect(status != nil && status != 0)
            #expect(second.log.contains("already running (pid \(worker.pid))"), "\(second.log)")
            // The first one still serves: a build runs on it.
            let events = try await master.events()
            let request = try await master.force("b")
            #expect(try await events.buildFinished(request: request)["results_name"]?.stringValue == "SUCCESS")

            let socket = scene.path("agent.sock")
            let agent = scene.track(try await AgentFixture.start(socket: socket, yaml: "slots: 1\n", directory: scene.dir.url))
            let config = scene.dir.appending("agent.yaml").path
            let secondAgent = scene.track(try ChildProcess(Binaries.path("minibot-agent"),
                                                           ["start", "--socket", socket, "--config", config],
                                                           name: "second agent", logPath: scene.path("second-agent.log")))
            let agentStatus = await secondAgent.waitForExit(timeout: 120)
            #expect(agentStatus != nil && agentStatus != 0)
            #expect(secondAgent.log.contains("already running (pid \(agent.pid))"), "\(secondAgent.log)")
            #expect(AgentFixture.canConnect(socket), "the first agent's socket is still there and serving")
        }
    }
}
