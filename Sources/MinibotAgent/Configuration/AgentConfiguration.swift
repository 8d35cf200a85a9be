import Foundation
import MinibotHostFacts

/// Everything `minibot-agent start` needs: the socket, the arbiter's limits, load sampling and
/// the (not yet interpreted) windows.
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

    /// One `windows:` entry as written (same syntax as the availability plugin); interpreted
    /// into a `HostBlock` by the executable once `TimeWindow` is available.
    public struct Window: Sendable, Equatable {
        public var when: String
        public var timezone: String?
        public var mode: String?
        /// Stop offering this long before the window opens.
        public var lead: TimeInterval?
        /// `file:line:column` of the entry, for error messages when it is interpreted.
        public var location: String

        public init(when: String, timezone: String? = nil, mode: String? = nil, lead: TimeInterval? = nil, location: String = "") {
            self.when = when
            self.timezone = timezone
            self.mode = mode
            self.lead = lead
            self.location = location
        }
    }

    public var socket: Socket
    public var arbiter: ArbiterStateMachine.Configuration
    public var load: Load
    public var windows: [Window]

    public init(socket: Socket, arbiter: ArbiterStateMachine.Configuration = Self.defaultArbiter,
                load: Load = Load(), windows: [Window] = []) {
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
