import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 12: a step's processes cannot outlive a killed worker.
@Suite("Steps die with their worker", .serialized)
struct StepLifetimeTests {
    static func config(seconds: String) -> String {
        masterConfig(workers: ["w1"], builders: """
          - name: b
            workers: [w1]
            steps:
              - shell: {name: long, command: "echo started; sleep \(seconds); echo never"}
        """, builderNames: ["b"])
    }

    /// The processes whose command line is exactly `arguments`.
    static func processes(_ arguments: [String]) -> [Int32] {
        let wanted = arguments.joined(separator: "\u{0}") + "\u{0}"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))).map { String(decoding: $0, as: UTF8.self) } == wanted
        }
    }

    /// The parent pid of `pid` (field 4 of /proc/PID/stat), nil when it is gone.
    static func parent(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    static func isAlive(_ pid: Int32) -> Bool {
        // A zombie is as good as gone: it runs nothing; its parent (init) reaps it.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(after: close)...].hasPrefix(" Z")
    }

    /// Checks `condition` until it holds, at most `seconds` (a bounded wait on what the
    /// process table says, not a sleep standing in for an event).
    static func eventually(_ what: String, within seconds: Double = 30, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() >= deadline {
                Issue.record("still not true after \(Int(seconds)) s: \(what)")
                return false
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Forces a build and returns once its `sleep SECONDS` runs (its pids).
    static func startLongStep(_ master: MasterFixture, seconds: String) async throws -> [Int32] {
        let events = try await master.events()
        let request = try await master.force("b")
        _ = try await events.buildStarted(request: request)
        var sleeping: [Int32] = []
        _ = await eventually("the step's sleep runs") {
            sleeping = processes(["sleep", seconds])
            return !sleeping.isEmpty
        }
        return sleeping
    }

    @Test("kill -9 of the worker: the step's process group dies too")
    func stepDiesWithItsWorker() async throws {
        try await Scene.run("step-dies") { scene in
            let seconds = "987.\(Int.random(in: 100...999))"
            let master = try await scene.master(Self.config(seconds: seconds))
            let worker = try #require(try await scene.workers(["w1"], master: master).first)
            let sleeping = try await Self.startLongStep(master, seconds: seconds)
            try #require(!sleeping.isEmpty)
            await worker.crash()
            _ = await Self.eventually("the step's sleep is gone after the worker was killed") {
                !sleeping.contains(where: Self.isAlive)
            }
        }
    }

    @Test("a step group left by a dead run (its supervisor killed too) is killed when the worker starts again")
    func restartedWorkerReapsLeftovers() async throws {
        try await Scene.run("step-reap") { scene in
            let seconds = "986.\(Int.random(in: 100...999))"
            let master = try await scene.master(Self.config(seconds: seconds))
            let worker = try #require(try await scene.workers(["w1"], master: master).first)
            let sleeping = try await Self.startLongStep(master, seconds: seconds)
            try #require(!sleeping.isEmpty)
            // The supervisor is the worker's child running `__supervise-step`; stopped first,
            // it cannot act on the worker's death, then it is killed outright.
            let supervisors = (try FileManager.default.contentsOfDirectory(atPath: "/proc")).compactMap(Int32.init).filter {
                Self.parent(of: $0) == worker.pid
                    && ((try? String(contentsOfFile: "/proc/\($0)/cmdline", encoding: .utf8)) ?? "").contains("__supervise-step")
            }
            let supervisor = try #require(supervisors.first)
            kill(supervisor, SIGSTOP)
            await worker.crash()
            kill(supervisor, SIGKILL)
            _ = await Self.eventually("the supervisor is gone") { !Self.isAlive(supervisor) }
            #expect(sleeping.allSatisfy(Self.isAlive), "the orphaned step should still run before the restart")

            let events = try await master.events()
            scene.track(try WorkerFixture.start(name: "w1", password: "pw", master: master.url, directory: scene.dir.url))
            try await events.workerAttached("w1")
            _ = await Self.eventually("the left-over step is gone after the worker restarted") {
                !sleeping.contains(where: Self.isAlive)
            }
        }
    }
}
