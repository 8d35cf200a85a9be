import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `minibot-agent start` process on a unix socket in a test directory.
public enum AgentFixture {
    /// Writes `yaml` as `agent.yaml` next to the socket, starts the agent, and returns once the
    /// socket exists (the agent binds it before it serves).
    public static func start(socket: String, yaml: String, directory: URL, extraArguments: [String] = []) async throws -> ChildProcess {
        let config = directory.appendingPathComponent("agent.yaml")
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        let process = try ChildProcess(Binaries.path("minibot-agent"),
                                       ["start", "--socket", socket, "--config", config.path] + extraArguments,
                                       name: "agent",
                                       logPath: directory.appendingPathComponent("agent-\(UUID().uuidString.prefix(6)).log").path)
        // A restarted agent replaces a stale socket file: wait until one that accepts exists.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if canConnect(socket) { return process }
            if await process.waitForExit(timeout: 0.05) != nil { break }
        }
        await process.stop()
        throw FixtureError("agent did not start:\n\(process.log.suffix(4000))")
    }

    /// Whether a unix socket at `path` accepts a connection.
    public static func canConnect(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (i, b) in bytes.enumerated() { buffer[i] = b }
        }
        let size = socklen_t(MemoryLayout<sockaddr_un>.size)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, size) == 0 }
        }
    }
}
