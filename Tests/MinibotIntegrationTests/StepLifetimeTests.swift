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
              - shell: {name: long, command: "sleep \(seconds) & echo sleep-pid $!; wait; echo never"}
        """, builderNames: ["b"])
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

    /// Forces a build and returns the pid of its step's `sleep`, which the step prints.
    static func startLongStep(_ master: MasterFixture) async throws -> Int32 {
        let events = try await master.events()
        let request = try await master.force("b")
        let build = MasterFixture.buildID(try await events.buildStarted(request: request))
        var after = -1.0
        while true {
            let seen = after
            let stored = try await events.wait("the step's output") {
                $0["type"]?.stringValue == "step_log" && MasterFixture.buildID($0) == build
                    && ($0["seq"]?.doubleValue ?? 0) > seen
            }
            after = stored["seq"]?.doubleValue ?? after
            let log = try await master.log(build: build, step: 0)
            if let line = log.split(separator: "\n").first(where: { $0.hasPrefix("sleep-pid ") }),
               let pid = Int32(line.dropFirst("sleep-pid ".count).trimmingCharacters(in: .whitespaces)) {
                return pid
            }
        }
    }

    /// Waits for `pid` to exit (an event from the kernel, a pidfd), recording an issue after 30 s.
    static func expectExit(_ pid: Int32, _ what: String) async {
        let exited = await ProcessExit.wait(for: pid, timeout: 30)
        #expect(exited, "still running after 30 s: \(what)")
    }

    @Test("kill -9 of the worker: the step's process group dies too")
    func stepDiesWithItsWorker() async throws {
        try await Scene.run("step-dies") { scene in
            let seconds = "987.\(Int.random(in: 100...999))"
            let master = try await scene.master(Self.config(seconds: seconds))
            let worker = try #require(try await scene.workers(["w1"], master: master).first)
            let sleeping = try await Self.startLongStep(master)
            await worker.crash()
            await Self.expectExit(sleeping, "the step's sleep after the worker was killed")
        }
    }

    @Test("a step group left by a dead run (its supervisor killed too) is killed when the worker starts again")
    func restartedWorkerReapsLeftovers() async throws {
        try await Scene.run("step-reap") { scene in
            let seconds = "986.\(Int.random(in: 100...999))"
            let master = try await scene.master(Self.config(seconds: seconds))
            let worker = try #require(try await scene.workers(["w1"], master: master).first)
            let sleeping = try await Self.startLongStep(master)
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
            await Self.expectExit(supervisor, "the killed supervisor")
            #expect(Self.isAlive(sleeping), "the orphaned step should still run before the restart")

            let events = try await master.events()
            scene.track(try WorkerFixture.start(name: "w1", password: "pw", master: master.url, directory: scene.dir.url))
            try await events.workerAttached("w1")
            await Self.expectExit(sleeping, "the left-over step after the worker restarted")
        }
    }
}
