/// What a worker runs for one step, as it travels in `startStep` (contract: `WorkerWire.swift`).
///
/// Its own type, apart from the configuration's `StepAction`: `master.cfg` can grow (new step
/// options, interpolation, locks) without changing what a worker of another version reads. The
/// master converts a rendered step into it just before sending (``init(_:)``).
///
/// Compatibility: case and field names are the JSON and are never renamed; a new field is
/// optional with a default a worker of the previous version can ignore; a new kind of step is a
/// new case, which an older worker answers with EXCEPTION ("undecodable").
public enum StepCommand: Sendable, Codable, Equatable {
    /// Run a command: an argv list, or a string for `/bin/sh -c`.
    case shell(Shell)
    /// Clone or update a repository and check out the build's revision.
    case git(GitCheckout)

    public enum Shell: Sendable, Codable, Equatable {
        case argv([String])
        case script(String)

        /// The command as one line, for logs.
        public var display: String {
            switch self {
            case .argv(let a): a.joined(separator: " ")
            case .script(let s): s
            }
        }
    }

    public struct GitCheckout: Sendable, Codable, Equatable {
        public enum Mode: String, Sendable, Codable, Equatable {
            /// Fetch into the existing clone.
            case incremental
            /// Remove untracked and ignored files first.
            case full
        }

        /// Already resolved by the master (a local path is absolute).
        public var repository: String
        public var mode: Mode
        /// Branch to check out when the build names no revision.
        public var branch: String?

        public init(repository: String, mode: Mode = .incremental, branch: String? = nil) {
            self.repository = repository
            self.mode = mode
            self.branch = branch
        }
    }
}
