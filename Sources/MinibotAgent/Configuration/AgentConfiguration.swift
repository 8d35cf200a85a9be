import Foundation
import MinibotHostFacts

/// Everything `minibot-agent start` needs: the socket, the arbiter's limits, load sampling and
/// the windows.
///
/// An immutable value, parsed once from `agent.yaml` and the command line by the executable and
/// handed to `Agent`. Every field has a default, so only the socket path is required.
public struct AgentConfiguration: Sendable, Equatable {
    /// Where the agent listens, and who may connect.
    public struct Socket: Sendable, Equatable {
        public var path: String
        /// File mode of the socket: who can write it may use the agent. Default 0660 (the
        /// agent's user and group); put the worker users in the agent's group.
        public var mode: UInt16

        public init(path: String, mode: UInt16 = 0o660) {
            self.path = path
            self.mode = mode
        }
    }

    /// How the host's load is read.
    public struct Load: Sendable, Equatable {
        /// A file in /proc/loadavg format to read instead of /proc (tests, other sources).
        public var file: String?
        /// Time between two samples.
        public var sampleInterval: TimeInterval

        public init(file: String? = nil, sampleInterval: TimeInterval = 5) {
            self.file = file
            self.sampleInterval = sampleInterval
        }
    }

    public var socket: Socket
    public var arbiter: ArbiterStateMachine.Configuration
    public var load: Load
    /// The `windows:` entries, read as the availability plugin reads them.
    public var windows: [WindowRule]
    /// `samples:` as written: the flight recorder file, `none` for no recorder, nil for the
    /// default (``samplesPath``).
    public var samples: String?

    /// The flight recorder file: `samples:`, or `SOCKET.samples.mbfr` beside the lease ledger
    /// (`SOCKET.leases`); nil with `samples: none`.
    public var samplesPath: String? {
        switch samples {
        case "none": nil
        case let path?: path
        case nil: socket.path + ".samples.mbfr"
        }
    }

    public init(socket: Socket, arbiter: ArbiterStateMachine.Configuration = Self.defaultArbiter,
                load: Load = Load(), windows: [WindowRule] = []) {
        self.socket = socket
        self.arbiter = arbiter
        self.load = load
        self.windows = windows
    }

    /// One slot; the load limit is the number of CPUs (a host is "loaded" when every CPU has a
    /// runnable task), resumed below 80 % of it.
    public static var defaultArbiter: ArbiterStateMachine.Configuration {
        ArbiterStateMachine.Configuration(maxLoad: Double(ProcessInfo.processInfo.activeProcessorCount))
    }
}
