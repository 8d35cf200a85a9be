import Foundation

/// A real `minibot-worker start` process.
public enum WorkerFixture {
    /// Starts a worker connected to `master` with its base directory under `directory`.
    public static func start(name: String, password: String, master: String, directory: URL,
                             extraArguments: [String] = []) throws -> ChildProcess {
        let basedir = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: basedir, withIntermediateDirectories: true)
        return try ChildProcess(Binaries.path("minibot-worker"),
                                ["start", "--master", master, "--name", name, "--password", password,
                                 "--basedir", basedir.path] + extraArguments,
                                name: "worker \(name)",
                                logPath: directory.appendingPathComponent("worker-\(name)-\(UUID().uuidString.prefix(6)).log").path)
    }
}
