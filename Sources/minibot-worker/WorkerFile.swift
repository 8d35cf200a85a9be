import Foundation
import MinibotConfig

extension WorkerFile {
    /// Reads `DIR/worker.yaml`, as a one-line (or one line per problem) command-line error.
    static func read(from directory: String) throws(CLIError) -> WorkerFile {
        let path = path(in: directory)
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError("cannot read \(path): create it with 'minibot-worker create-worker \(directory) --master URL --name NAME --password PW'")
        }
        do {
            return try load(from: directory)
        } catch {
            throw CLIError(error.description)
        }
    }

    /// Writes the file readable by its owner only: it holds the worker's password.
    func write(to directory: String) throws {
        let path = Self.path(in: directory)
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write \(path): check that the directory is writable")
        }
    }
}

/// A command-line failure with a one-line message.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
