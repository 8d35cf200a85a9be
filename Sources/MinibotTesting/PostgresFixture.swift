import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throw-away PostgreSQL server for tests: `initdb` in a temp directory, `pg_ctl start` on
/// 127.0.0.1 and a free port (and a unix socket in the directory), stopped by its pid.
///
/// PostgreSQL refuses to run as root, and the tests usually do: then every server command
/// runs through `runuser -u USER` as `$MINIBOT_PG_USER`, else `postgres` (Debian's package
/// makes it), else `nobody`, and the directory is handed to that user. The binaries are
/// found in `$MINIBOT_PG_BINDIR`, else Debian's `/usr/lib/postgresql/<newest>/bin`, else
/// `PATH`. Authentication is `trust` for the superuser ``user``: the server listens only on
/// loopback and on a socket in a private directory.
public final class PostgresFixture: Sendable {
    /// Why the server could not be started or used.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let directory: TemporaryDirectory
    public let host = "127.0.0.1"
    public let port: Int
    /// The superuser `initdb` made.
    public let user = "minibot"
    /// The postmaster's pid (the first line of `postmaster.pid`).
    public let pid: pid_t
    private let binaries: String
    private let runAs: String?

    private init(directory: TemporaryDirectory, port: Int, pid: pid_t, binaries: String, runAs: String?) {
        self.directory = directory
        self.port = port
        self.pid = pid
        self.binaries = binaries
        self.runAs = runAs
    }

    /// The directory holding `initdb`, `pg_ctl` and `createdb`, or nil when PostgreSQL is not
    /// installed.
    public static var binaryDirectory: String? {
        let fm = FileManager.default
        if let dir = ProcessInfo.processInfo.environment["MINIBOT_PG_BINDIR"], !dir.isEmpty { return dir }
        let debian = "/usr/lib/postgresql"
        let versions = ((try? fm.contentsOfDirectory(atPath: debian)) ?? []).compactMap(Int.init).sorted()
        if let newest = versions.last, fm.isExecutableFile(atPath: "\(debian)/\(newest)/bin/initdb") {
            return "\(debian)/\(newest)/bin"
        }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        where fm.isExecutableFile(atPath: "\(dir)/initdb") {
            return String(dir)
        }
        return nil
    }

    /// Whether PostgreSQL tests must run: always in CI (`CI`) or when `MINIBOT_TEST_PG` is
    /// set; elsewhere only when PostgreSQL is installed. See ``skipReason``.
    public static var isRequired: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["CI"] != nil || environment["MINIBOT_TEST_PG"] != nil
    }

    /// Why PostgreSQL tests are skipped here, or nil when they run.
    public static var skipReason: String? {
        if isRequired || binaryDirectory != nil { return nil }
        return "PostgreSQL is not installed (apt-get install postgresql, or set MINIBOT_PG_BINDIR); "
            + "set MINIBOT_TEST_PG=1 to make these tests fail instead of skipping"
    }

    /// Initializes a cluster and starts its server; the caller ``stop()``s it.
    public static func start() async throws -> PostgresFixture {
        guard let binaries = binaryDirectory else {
            throw Failure(description: "PostgreSQL is not installed: no initdb in MINIBOT_PG_BINDIR, "
                + "/usr/lib/postgresql/*/bin or PATH (scripts/install-deps installs it)")
        }
        let directory = try TemporaryDirectory("minibot-pg")
        var runAs: String?
        if getuid() == 0 {
            let name = ProcessInfo.processInfo.environment["MINIBOT_PG_USER"]
                ?? (getpwnam("postgres") != nil ? "postgres" : "nobody")
            guard let account = getpwnam(name) else {
                throw Failure(description: "no user \(name) to run PostgreSQL as (it refuses root)")
            }
            guard chown(directory.path, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
                throw Failure(description: "cannot hand \(directory.path) to \(name): \(String(cString: strerror(errno)))")
            }
            runAs = name
        }
        let port = try freePort()
        let data = directory.appending("data").path
        let fixture = PostgresFixture(directory: directory, port: port, pid: 0, binaries: binaries, runAs: runAs)
        try await fixture.tool("initdb", ["-D", data, "-U", "minibot", "--auth=trust", "-E", "UTF8",
                                          "--locale=C", "--no-sync"])
        // fsync off and many connections: a test server, thrown away afterwards.
        let options = "-h \(fixture.host) -p \(port) -k \(directory.path) -F -c max_connections=400"
        try await fixture.tool("pg_ctl", ["-D", data, "-l", directory.appending("server.log").path, "-w",
                                          "-o", options, "start"])
        guard let pid = postmasterPID(data: data) else {
            throw Failure(description: "the server started but left no postmaster.pid in \(data)")
        }
        return PostgresFixture(directory: directory, port: port, pid: pid, binaries: binaries, runAs: runAs)
    }

    /// Creates an empty database and returns its name.
    public func createDatabase(_ prefix: String = "minibot") async throws -> String {
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        try await tool("createdb", ["-h", host, "-p", String(port), "-U", user, name])
        return name
    }

    /// `postgresql://minibot@127.0.0.1:PORT/DATABASE`, as master.cfg would name it.
    public func url(database: String) -> String { "postgresql://\(user)@\(host):\(port)/\(database)" }

    /// Runs SQL on `database` with `psql` (for tests that poke at the database from outside).
    @discardableResult
    public func sql(_ statement: String, database: String) async throws -> String {
        try await tool("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", String(port),
                                "-U", user, "-d", database, "-c", statement])
    }

    /// Restarts the server (fast shutdown: open connections are cut) with the options it was
    /// started with, and waits until it accepts connections again. The postmaster's pid changes.
    public func restart() async throws {
        try await tool("pg_ctl", ["-D", directory.appending("data").path, "-l", directory.appending("server.log").path,
                                  "-w", "-m", "fast", "restart"])
    }

    /// The running postmaster's pid: the first line of `postmaster.pid` (a ``restart()``
    /// changes it), else the one it started with.
    var currentPID: pid_t {
        Self.postmasterPID(data: directory.appending("data").path) ?? pid
    }

    /// The first line of `DATA/postmaster.pid`, nil when there is no such file or number.
    static func postmasterPID(data: String) -> pid_t? {
        let text = (try? String(contentsOfFile: data + "/postmaster.pid", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").first.flatMap { pid_t($0) }
    }

    /// Stops the server by its pid (SIGINT: fast shutdown), waits for it with `pg_ctl stop`
    /// (which polls its pid file, so no test sleeps), and removes the directory.
    public func stop() async {
        let pid = currentPID
        if pid > 0 {
            kill(pid, SIGINT)
            let stopped = (try? await tool("pg_ctl", ["-D", directory.appending("data").path, "-w", "-m", "fast",
                                                      "stop"])) != nil
            if !stopped && kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        }
        directory.remove()
    }

    /// Runs a PostgreSQL tool (as ``runAs`` under root); its output, or a failure with it.
    @discardableResult
    func tool(_ name: String, _ arguments: [String]) async throws -> String {
        let executable = "\(binaries)/\(name)"
        let (path, argv) = runAs.map { ("/usr/sbin/runuser", ["-u", $0, "--", executable] + arguments) }
            ?? (executable, arguments)
        let id = UUID().uuidString.prefix(8)
        let outPath = directory.appending("\(name)-\(id).out").path
        let output = try Spawn.open(outPath, forWriting: true)
        let input = try Spawn.open("/dev/null", forWriting: false)
        defer {
            close(output)
            close(input)
        }
        let status = try await Spawn.run(path, argv, environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C"],
                                         stdin: input, stdout: output, stderr: output, timeout: 120)
        let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        unlink(outPath)
        guard status == 0 else {
            throw Failure(description: "\(name) \(arguments.joined(separator: " ")) failed (\(status)): \(text)")
        }
        return text
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "cannot open a socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "cannot find a free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
