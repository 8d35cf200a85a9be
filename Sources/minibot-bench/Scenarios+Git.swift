import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting

/// Issue 3's scenarios: a push through contrib's post-receive hook, and an unchanged poll.
extension Scenarios {
    /// `contrib/git/post-receive` of this checkout (found from this file, else the current
    /// directory: run the benchmark from the package root).
    static var postReceiveHook: String {
        let fromSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("contrib/git/post-receive").path
        if FileManager.default.fileExists(atPath: fromSource) { return fromSource }
        return FileManager.default.currentDirectoryPath + "/contrib/git/post-receive"
    }

    static func gitConfig(repository: String, branches: String) -> String {
        """
        title: bench
        www: {port: 0, admin_token_file: admin.token}
        workers:
          - {name: w1, password: pw, max_builds: 1}
        change_sources:
          - git_poller: {name: repo, repository: \(repository), branches: \(branches), poll_interval: 10m}
        schedulers:
          - single_branch: {name: main, branch: main, tree_stable_timer: 0s, builders: [b]}
        builders:
          - name: b
            workers: [w1]
            steps:
              - git: {repository: \(repository), mode: incremental}
              - shell: {name: timed, command: ["true"]}
        """
    }

    /// Push → first timed step: from just before `git push` (whose post-receive hook asks
    /// the master to poll) to the `started_at` of the step after the git checkout.
    static func push(runs: Int) async throws {
        let dir = try TemporaryDirectory("bench-push")
        let git = try GitFixture()
        defer { git.remove() }
        try git.commit(["file.txt": "0\n"], message: "initial")
        try git.push("main")
        let master = try await MasterFixture.start(config: gitConfig(repository: git.remotePath, branches: "[main]"),
                                                   in: dir.appending("master"))
        let events = try await master.events()
        let worker = try WorkerFixture.start(name: "w1", password: "pw", master: master.url, directory: dir.url)
        try await events.workerAttached("w1")
        try await master.client.postForm("change_hook/poller", [("poller", "repo")])
        let hook = URL(fileURLWithPath: git.remotePath).appendingPathComponent("hooks/post-receive")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: postReceiveHook), to: hook)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook.path)
        try git.git("-C", git.remotePath, "config", "minibot.master", master.url)
        try git.git("-C", git.remotePath, "config", "minibot.poller", "repo")

        var latencies: [Double] = [], pushes: [Double] = []
        var lastBuild = 0.0
        // The first push warms the worker's clone; it is not counted.
        for i in 0...(runs * 2) {
            try git.commit(["file.txt": "\(i + 1)\n"], message: "change \(i + 1)")
            let t0 = Date()
            try git.push("main")
            pushes.append(Date().timeIntervalSince(t0))
            let after = lastBuild
            let finished = try await events.wait("the build of push \(i + 1)") {
                $0["type"]?.stringValue == "build_finished" && ($0["buildid"]?.doubleValue ?? 0) > after
            }
            lastBuild = finished["buildid"]?.doubleValue ?? lastBuild
            let build = try await master.build(Int64(lastBuild))
            guard case .array(let steps)? = build["steps"], steps.count > 1,
                  let started = steps[1]["started_at"]?.doubleValue else { continue }
            if i > 0 { latencies.append(started - t0.timeIntervalSince1970) }
        }
        print("push → timed step start (post-receive, tree_stable_timer 0, git step first): \(Sample(values: latencies).format("ms", scale: 1000))   target ≤ 60 ms")
        print("    of which `git push` itself (the hook waits for the poll): \(Sample(values: pushes).format("ms", scale: 1000))")
        await worker.stop()
        await master.stop()
        dir.remove()
    }

    /// One poll of an unchanged repository with 50 branches: `POST /change_hook/poller`
    /// round trips (HTTP + libgit2 fetch into the mirror + comparison with the stored heads).
    static func poll(runs: Int) async throws {
        let dir = try TemporaryDirectory("bench-poll")
        let git = try GitFixture()
        defer { git.remove() }
        try git.commit(["file.txt": "0\n"], message: "initial")
        for i in 1...49 { try git.git("branch", "branch-\(i)") }
        try git.git("push", "--quiet", "origin", "--all")
        let master = try await MasterFixture.start(config: gitConfig(repository: git.remotePath, branches: "all"),
                                                   in: dir.appending("master"))
        // The first poll creates the mirror and records the heads.
        try await master.client.postForm("change_hook/poller", [("poller", "repo")])
        var times: [Double] = []
        for _ in 0..<max(10, runs * 4) {
            let t0 = Date()
            try await master.client.postForm("change_hook/poller", [("poller", "repo")])
            times.append(Date().timeIntervalSince(t0))
        }
        print("poll of an unchanged repository, 50 branches (POST /change_hook/poller round trip): \(Sample(values: times).format("ms", scale: 1000))   target ≤ 20 ms")
        await master.stop()
        dir.remove()
    }
}
