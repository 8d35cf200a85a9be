import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Synchronization

/// A master with named workers in a temp directory, for the distributor's integration tests.
///
/// Steps that must stay running until the test says so wait for a gate file (the step's own
/// shell polls for it; the test never sleeps): ``gate(_:)`` is the step command,
/// ``open(_:)`` lets it finish.
final class DistributorCluster: Sendable {
    let dir: TemporaryDirectory
    let workers: [String: ChildProcess]
    private let current: Mutex<MasterFixture>

    private init(dir: TemporaryDirectory, master: MasterFixture, workers: [String: ChildProcess]) {
        self.dir = dir
        self.current = Mutex(master)
        self.workers = workers
    }

    /// The running master (a new process after ``restartMaster(crash:)``).
    var master: MasterFixture { current.withLock { $0 } }

    /// Runs `body` on a started cluster and stops every process afterwards, failed or not.
    static func with(_ prefix: String, workers names: [String], config: (DistributorGates) -> String,
                     _ body: (DistributorCluster) async throws -> Void) async throws {
        let cluster = try await start(prefix, workers: names, config: config)
        do {
            try await body(cluster)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    /// Stops (SIGTERM) or crashes (SIGKILL) the master and starts it again on the same
    /// directory and port, so the workers reconnect by themselves.
    func restartMaster(crash: Bool) async throws -> MasterFixture {
        let old = master
        if crash { await old.process.crash() } else { await old.stop() }
        let new = try await MasterFixture.restart(in: old.directory, port: old.port)
        current.withLock { $0 = new }
        return new
    }

    /// Starts a master with `config` (built from the gate directory) and the listed workers
    /// (password `pw`), and waits until every worker is attached.
    private static func start(_ prefix: String, workers names: [String],
                      config: (DistributorGates) -> String) async throws -> DistributorCluster {
        let dir = try TemporaryDirectory(prefix)
        do {
            let gates = DistributorGates(directory: dir.appending("gates"))
            try FileManager.default.createDirectory(at: gates.directory, withIntermediateDirectories: true)
            let master = try await MasterFixture.start(config: config(gates), in: dir.appending("master"))
            let events = try await master.events()
            var workers: [String: ChildProcess] = [:]
            for name in names {
                workers[name] = try WorkerFixture.start(name: name, password: "pw", master: master.url,
                                                        directory: dir.appending("workers"))
            }
            let cluster = DistributorCluster(dir: dir, master: master, workers: workers)
            do {
                for name in names { try await events.workerAttached(name) }
            } catch {
                await cluster.stop()
                throw error
            }
            return cluster
        } catch {
            dir.remove()
            throw error
        }
    }

    var gates: DistributorGates { DistributorGates(directory: dir.appending("gates")) }

    /// Stops every process (by pid) and removes the directory.
    func stop() async {
        gates.openAll()
        for w in workers.values { await w.stop() }
        await master.stop()
        dir.remove()
    }

    /// Runs `minibot ARGS` to its end; stdout goes through a file so none of it is lost.
    func minibot(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await Self.minibot(arguments, in: dir)
    }

    /// Runs `minibot ARGS` to its end, keeping its output in `dir`.
    static func minibot(_ arguments: [String], in dir: TemporaryDirectory) async throws
        -> (status: Int32, stdout: String, stderr: String) {
        let id = UUID().uuidString.prefix(8)
        let out = dir.appending("cli-\(id).out").path
        let process = try ChildProcess("/bin/sh", ["-c", "exec \"$0\" \"$@\" > \"\(out)\"", Binaries.path("minibot")] + arguments,
                                       name: "minibot \(arguments.first ?? "")",
                                       logPath: dir.appending("cli-\(id).err").path)
        guard let status = await process.waitForExit(timeout: 120) else {
            process.signal(SIGKILL)
            throw FixtureError("minibot \(arguments) did not end")
        }
        let stdout = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        return (status, stdout, process.log)
    }

    /// `--master URL --token TOKEN` for CLI calls to this cluster's master.
    func masterArguments(_ m: MasterFixture? = nil) -> [String] {
        let m = m ?? master
        return ["--master", m.url, "--token", m.token]
    }
}

/// Gate files that hold a step until the test opens them.
struct DistributorGates: Sendable {
    let directory: URL

    /// A shell command (run through `sh -c`) that waits until `name` is opened.
    func gate(_ name: String) -> String {
        let file = directory.appendingPathComponent("open-\(name)").path
        let all = directory.appendingPathComponent("open-all").path
        return "\"while [ ! -e '\(file)' ] && [ ! -e '\(all)' ]; do sleep 0.05; done\""
    }

    func open(_ name: String) {
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("open-\(name)").path, contents: nil)
    }

    /// Lets every gated step end (cleanup).
    func openAll() {
        open("all")
    }
}

extension JSONValue {
    var int64: Int64? { doubleValue.map { Int64($0) } }
    var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
}

