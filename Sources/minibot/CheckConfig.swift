import ArgumentParser
import Foundation
import MinibotCore
import MinibotMaster

/// `minibot checkconfig [PATH]`: every error as `file:line:column: message`.
struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkconfig",
        abstract: "Check master.cfg; print a summary, or every error as file:line:column: message (exit 1).")

    @Argument(help: "master.cfg, or a master directory (default: ./master.cfg).")
    var path: String = "master.cfg"

    func run() async throws {
        var isDir: ObjCBool = false
        var file = path
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            file = Master.configPath(in: path)
        }
        do {
            let config = try Master.check(path: file, plugins: Minibot.plugins)
            let plugins = config.plugins.map(\.name)
            print("\(file): OK — \(config.workers.count) workers, \(config.builders.count) builders, "
                  + "\(config.schedulers.count) schedulers, \(config.changeSources.count) change sources"
                  + (plugins.isEmpty ? "" : ", plugins: \(plugins.joined(separator: ", "))")
                  + Self.database(config))
        } catch {
            print(error.description)
            throw ExitCode(1)
        }
    }
}

extension CheckConfig {
    /// `, db: …` for a shared database (its URL, never a password); nothing for SQLite.
    static func database(_ config: MasterConfig) -> String {
        guard case .postgres(let address) = try? DatabaseAddress(config.db, environment: ProcessInfo.processInfo.environment)
        else { return "" }
        return ", db: \(address)"
    }
}

/// `minibot reconfig DIR`: checks master.cfg, then tells the running master to reload it.
struct Reconfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check DIR/master.cfg and make the running master reload it (SIGHUP), without dropping builds.")

    @Argument(help: "The master directory.")
    var directory: String

    func run() async throws {
        let file = Master.configPath(in: directory)
        do {
            _ = try Master.check(path: file, plugins: Minibot.plugins)
        } catch {
            print(error.description)
            throw Failure.failed("not reloading: fix the errors above; the master keeps its running configuration")
        }
        let pidFile = URL(fileURLWithPath: directory).appendingPathComponent("minibot.pid").path
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Failure.usage("no running master in \(directory) (no minibot.pid)")
        }
        guard kill(pid, SIGHUP) == 0 else {
            throw Failure.usage("cannot signal the master (pid \(pid)): \(String(cString: strerror(errno)))")
        }
        print("master \(pid) is reloading \(file)")
    }
}
