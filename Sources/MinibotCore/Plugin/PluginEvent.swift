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
    /// `/proc/pressure/cpu` "some avg10", where the kernel has it.
    public var cpuPressure: Double?
    public var time: Date

    public init(load1: Double, load5: Double? = nil, cpuPressure: Double? = nil, time: Date) {
        self.load1 = load1
        self.load5 = load5
        self.cpuPressure = cpuPressure
        self.time = time
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
public struct WorkerInfo: Sendable, Equatable, Codable {
    public var hostname: String
    public var os: String
    public var cpus: Int
    public var version: String
    /// The host agent's socket the worker relays to, if any.
    public var agent: String?

    public init(hostname: String, os: String, cpus: Int, version: String, agent: String? = nil) {
        self.hostname = hostname
        self.os = os
        self.cpus = cpus
        self.version = version
        self.agent = agent
    }
}
