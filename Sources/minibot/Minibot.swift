import ArgumentParser
import Foundation
import MinibotAvailability
import MinibotCore
import MinibotMaster
import MinibotPostgres
import MinibotSQLite

/// `minibot`: run and drive a Minibot master.
@main
struct Minibot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minibot",
        abstract: "A compact continuous-integration master in the Buildbot tradition.",
        discussion: "Exit codes: 0 success, 1 the thing failed (a build, a check), 2 usage or connection error.",
        version: MinibotVersion.current,
        subcommands: [CreateMaster.self, Start.self, CheckConfig.self, Reconfig.self, SendChange.self, Force.self,
                      StopBuild.self, Cancel.self, Follow.self, Pending.self, WorkerCommand.self, AvailabilityCommand.self,
                      Rebuild.self, HashPassword.self])

    /// The plugins this executable ships; `master.cfg` enables them under `plugins:`.
    static let plugins: [any MasterPlugin.Type] = MasterProcess.plugins([AvailabilityPlugin.self])

    /// The store a master run in this process opens: the SQLite file that `db` names, or the
    /// PostgreSQL database of a `postgresql://` URL (password from a passfile or PGPASSWORD).
    /// `minibot-master` opens its store the same way.
    static let store: Master.StoreFactory = { config, directory in
        let environment = ProcessInfo.processInfo.environment
        switch try DatabaseAddress(config.db, environment: environment) {
        case .sqlite:
            return try SQLiteStore(path: Master.databasePath(config, in: directory))
        case .postgres(let address):
            return try await PostgresStore.connect(PostgresStore.Configuration(address: address,
                                                                               environment: environment))
        }
    }

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch let failure as Failure {
            FileHandle.standardError.write(Data("minibot: \(failure.message)\n".utf8))
            Foundation.exit(failure.code)
        } catch {
            let code = exitCode(for: error)
            if code == .success || code == .failure {
                exit(withError: error)
            }
            // Usage errors: ArgumentParser's 64 becomes Minibot's 2.
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}

/// A failure with its exit code and a one-line message (printed as `minibot: message`).
struct Failure: Error {
    var code: Int32
    var message: String

    static func failed(_ message: String) -> Failure { Failure(code: 1, message: message) }
    static func usage(_ message: String) -> Failure { Failure(code: 2, message: message) }
}

enum MinibotVersion {
    static let current = "0.1.0"
}
