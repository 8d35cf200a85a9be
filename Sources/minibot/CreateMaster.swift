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
        try text.write(to: cfg, atomically: true, encoding: .utf8)
        let tokenFile = dir.appendingPathComponent("admin.token")
        if !fm.fileExists(atPath: tokenFile.path) {
            var bytes = [UInt8](repeating: 0, count: 16)
            for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
            let token = bytes.map { String(format: "%02x", $0) }.joined()
            try (token + "\n").write(to: tokenFile, atomically: true, encoding: .utf8)
            try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokenFile.path)
        }
        print("""
        Created \(cfg.path) and \(tokenFile.path).
        Next:
          1. edit \(cfg.path) (workers, repositories, builders); check it with
             minibot checkconfig \(cfg.path)
          2. start the master:  minibot start \(dir.path)
          3. start a worker:    minibot-worker start --master http://127.0.0.1:8010 --name w1 --password <its password> --basedir /path/to/w1
          4. force a build:     minibot force --token-file \(tokenFile.path) test --wait
        """)
    }
}
