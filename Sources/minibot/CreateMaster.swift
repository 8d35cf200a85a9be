import ArgumentParser
import Foundation

/// `minibot create-master DIR`: a master directory with a working, commented master.cfg.
struct CreateMaster: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-master",
        abstract: "Create a master directory with master.cfg (from master.cfg.example) and an admin token.")

    @Argument(help: "The master directory to create.")
    var directory: String

    @Flag(name: .long, help: "Overwrite an existing master.cfg.")
    var force = false

    func run() async throws {
        let fm = FileManager.default
        let dir = URL(fileURLWithPath: directory).standardizedFileURL
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        let cfg = dir.appendingPathComponent("master.cfg")
        if fm.fileExists(atPath: cfg.path) && !force {
            throw Failure.failed("\(cfg.path) exists; pass --force to overwrite it")
        }
        guard let example = Bundle.module.url(forResource: "master.cfg", withExtension: "example"),
              let text = try? String(contentsOf: example, encoding: .utf8) else {
            throw Failure.failed("master.cfg.example is missing from this installation")
        }
        // master.cfg holds worker passwords: the master's user alone reads it.
        try text.write(to: cfg, atomically: true, encoding: .utf8)
        try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: cfg.path)
        let tokenFile = dir.appendingPathComponent("admin.token")
        try Self.writeSecret(to: tokenFile)
        // The change hook's secret: with it, the hook takes only requests that carry it
        // (contrib/git/post-receive reads it with `git config minibot.secretfile PATH`).
        let hookSecret = dir.appendingPathComponent("change_hook.secret")
        try Self.writeSecret(to: hookSecret)
        print("""
        Created \(cfg.path), \(tokenFile.path) and \(hookSecret.path) (mode 0600).
        Next:
          1. edit \(cfg.path) (workers, repositories, builders); check it with
             minibot checkconfig \(cfg.path)
          2. start the master:  minibot start \(dir.path)
          3. start a worker:    minibot-worker start --master http://127.0.0.1:8010 --name w1 --password-file <file with its password> --basedir /path/to/w1
          4. force a build:     minibot force --token-file \(tokenFile.path) test --wait
          5. push hooks:        git config minibot.secretfile \(hookSecret.path)   (see contrib/git/post-receive)
        """)
    }

    /// Writes 16 random bytes as hex to `file`, readable by its owner alone, unless it exists.
    private static func writeSecret(to file: URL) throws {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: file.path) else { return }
        var bytes = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
        let secret = bytes.map { String(format: "%02x", $0) }.joined()
        // Created 0600 from the start: never readable by others, not even for a moment.
        guard fm.createFile(atPath: file.path, contents: Data((secret + "\n").utf8),
                            attributes: [.posixPermissions: 0o600]) else {
            throw Failure.failed("cannot write \(file.path)")
        }
    }
}
