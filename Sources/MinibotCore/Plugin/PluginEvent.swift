import Foundation

/// Something that happened in the master, delivered to plugins in order.
public enum PluginEvent: Sendable {
    case workerAttached(WorkerSnapshot)
    case workerDetached(worker: String)
    /// A worker's periodic report (load, pressure) arrived.
    case workerStatus(worker: String, WorkerStatus)
    /// A message from the plugin's counterpart on a worker.
    case workerMessage(worker: String, JSONValue)
    case buildStarted(BuildEventInfo)
    case buildFinished(BuildEventInfo, BuildResult)
    /// A request left the pending set without starting here (cancelled, collapsed, or
    /// started on another worker): subscriptions made for it can be withdrawn.
    case requestRemoved(requestID: Int64)
    case configReloaded
}

/// The facts of a build that plugins see.
public struct BuildEventInfo: Sendable, Equatable {
    public var buildID: Int64
    public var number: Int
    public var requestID: Int64
    public var builder: String
    public var worker: String
    public var time: Date

    public init(buildID: Int64, number: Int, requestID: Int64, builder: String, worker: String, time: Date) {
        self.buildID = buildID
        self.number = number
        self.requestID = requestID
        self.builder = builder
        self.worker = worker
        self.time = time
    }
}

/// A worker's periodic status report.
public struct WorkerStatus: Sendable, Equatable, Codable {
    /// 1-minute load average.
    public var load1: Double
    public var load5: Double?
    /// the kernel's CPU pressure (PSI "some avg10"), where it has it.
    public var cpuPressure: Double?
    /// The kernel's memory and IO pressure (PSI "some avg10", percent); nil from a worker
    /// that does not read them (older ones) or a kernel without PSI.
    public var memoryPressure: Double?
    public var ioPressure: Double?
    /// `MemAvailable` in bytes; nil when not reported.
    public var freeMemory: Double?
    public var time: Date
    /// The owner at the keyboard, when the worker could read it (``OwnerActivity``).
    public var owner: OwnerActivity?

    public init(load1: Double, load5: Double? = nil, cpuPressure: Double? = nil, memoryPressure: Double? = nil,
                ioPressure: Double? = nil, freeMemory: Double? = nil, time: Date) {
        self.load1 = load1
        self.load5 = load5
        self.cpuPressure = cpuPressure
        self.memoryPressure = memoryPressure
        self.ioPressure = ioPressure
        self.freeMemory = freeMemory
        self.time = time
    }

    private enum CodingKeys: String, CodingKey {
        case load1, load5, cpuPressure, memoryPressure, ioPressure, freeMemory, time
        case owner
    }

    /// Decodes a report, refusing loads and pressures outside ``LoadBounds`` (a worker
    /// reporting load 1e18 is malformed, not a very busy machine).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        load1 = try c.decode(Double.self, forKey: .load1)
        load5 = try c.decodeIfPresent(Double.self, forKey: .load5)
        cpuPressure = try c.decodeIfPresent(Double.self, forKey: .cpuPressure)
        memoryPressure = try c.decodeIfPresent(Double.self, forKey: .memoryPressure)
        ioPressure = try c.decodeIfPresent(Double.self, forKey: .ioPressure)
        freeMemory = try c.decodeIfPresent(Double.self, forKey: .freeMemory)
        time = try c.decode(Date.self, forKey: .time)
        owner = try c.decodeIfPresent(OwnerActivity.self, forKey: .owner)
        guard LoadBounds.isLoad(load1), load5.map(LoadBounds.isLoad) ?? true else {
            throw DecodingError.dataCorruptedError(forKey: .load1, in: c,
                                                   debugDescription: "a load must be between 0 and 100000")
        }
        for (key, pressure) in [(CodingKeys.cpuPressure, cpuPressure), (.memoryPressure, memoryPressure),
                                (.ioPressure, ioPressure)] {
            guard pressure.map(LoadBounds.isPressure) ?? true else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c,
                                                       debugDescription: "a pressure must be between 0 and 100")
            }
        }
        guard freeMemory.map(LoadBounds.isMemory) ?? true else {
            throw DecodingError.dataCorruptedError(forKey: .freeMemory, in: c,
                                                   debugDescription: "free memory must be between 0 and 1 PiB (in bytes)")
        }
    }
}

/// A worker as the master knows it.
public struct WorkerSnapshot: Sendable, Equatable {
    public var name: String
    public var isConnected: Bool
    public var info: WorkerInfo?
    public var runningBuilds: Int
    public var maxBuilds: Int
    public var isPaused: Bool

    public init(name: String, isConnected: Bool, info: WorkerInfo?, runningBuilds: Int, maxBuilds: Int, isPaused: Bool) {
        self.name = name
        self.isConnected = isConnected
        self.info = info
        self.runningBuilds = runningBuilds
        self.maxBuilds = maxBuilds
        self.isPaused = isPaused
    }
}

/// What a worker tells the master about itself when it connects.
///
/// Host facts beyond the basics go in `facts`, a string map that the core does not interpret:
/// a plugin reads the keys it knows (the availability plugin reads `agent`, the host agent's
/// socket, as named in MinibotProtocol's `WorkerFacts`), so no core type carries a plugin's field.
public struct WorkerInfo: Sendable, Equatable, Codable {
    public var hostname: String
    public var os: String
    public var cpus: Int
    public var version: String
    /// Further facts about the worker's host, by key.
    public var facts: [String: String]

    public init(hostname: String, os: String, cpus: Int, version: String, facts: [String: String] = [:]) {
        self.hostname = hostname
        self.os = os
        self.cpus = cpus
        self.version = version
        self.facts = facts
    }

    private enum CodingKeys: String, CodingKey {
        case hostname, os, cpus, version, facts
        /// Before `facts`, the agent socket was a field of its own; stored worker records and
        /// workers of that version still send it.
        case legacyAgent = "agent"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hostname = try c.decode(String.self, forKey: .hostname)
        os = try c.decode(String.self, forKey: .os)
        cpus = try c.decode(Int.self, forKey: .cpus)
        version = try c.decode(String.self, forKey: .version)
        facts = try c.decodeIfPresent([String: String].self, forKey: .facts) ?? [:]
        if let agent = try c.decodeIfPresent(String.self, forKey: .legacyAgent), facts["agent"] == nil {
            facts["agent"] = agent
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(hostname, forKey: .hostname)
        try c.encode(os, forKey: .os)
        try c.encode(cpus, forKey: .cpus)
        try c.encode(version, forKey: .version)
        try c.encode(facts, forKey: .facts)
    }
}
