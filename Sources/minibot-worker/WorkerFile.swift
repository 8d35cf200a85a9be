import Foundation
import MinibotCore
import MinibotWorker
import Yams

/// `DIR/worker.yaml`: what `create-worker` writes and `start DIR` reads.
///
/// ```yaml
/// master: http://127.0.0.1:8010
/// name: w1
/// password: secret1
/// basedir: .              # relative to DIR; default DIR itself
/// status_interval: 5s
/// agent: /run/minibot-agent.sock
/// load_file: /some/loadavg
/// ```
struct WorkerFile: Codable, Equatable {
    var master: String
    var name: String
    var password: String
    var basedir: String?
    var statusInterval: String?
    var agent: String?
    var loadFile: String?

    enum CodingKeys: String, CodingKey {
        case master, name, password, basedir, agent
        case statusInterval = "status_interval"
        case loadFile = "load_file"
    }

    static let fileName = "worker.yaml"

    static func path(in directory: String) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent(fileName).path
    }

    static func load(from directory: String) throws -> WorkerFile {
        let path = path(in: directory)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError("cannot read \(path): create it with 'minibot-worker create-worker \(directory) --master URL --name NAME --password PW'")
        }
        do {
            return try YAMLDecoder().decode(WorkerFile.self, from: text)
        } catch {
            throw CLIError("\(path) is not a valid worker file (\(error)); it needs master, name and password")
        }
    }

    /// Writes the file readable by its owner only: it holds the worker's password.
    func write(to directory: String) throws {
        let path = Self.path(in: directory)
        let text = try YAMLEncoder().encode(self)
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
