import Foundation

/// One reading of a host's load, as the kernel reports it.
///
/// Made by `LoadReader` at the edge (agent sampling loop, worker reporting to its master) and
/// then passed around as a plain value: decisions (the agent's arbiter, the availability
/// plugin's hysteresis) take a sample as input and never read /proc themselves.
public struct LoadSample: Sendable, Equatable, Codable {
    /// Load averages over 1, 5 and 15 minutes (`/proc/loadavg`).
    public var load1: Double
    public var load5: Double
    public var load15: Double
    /// `some avg10` from `/proc/pressure/cpu`: the share (0–100) of the last 10 s in which at
    /// least one runnable task waited for a CPU. Nil where the kernel has no PSI.
    public var cpuPressureSome10: Double?
    /// `some avg10` from `/proc/pressure/memory` (0–100): time some task waited for memory.
    public var memoryPressureSome10: Double?
    /// `some avg10` from `/proc/pressure/io` (0–100): time some task waited for IO.
    public var ioPressureSome10: Double?
    /// `MemAvailable` from `/proc/meminfo`, in bytes: what can be allocated without swapping.
    public var memAvailableBytes: Double?
    /// When the sample was taken.
    public var time: Date

    public init(load1: Double, load5: Double, load15: Double, cpuPressureSome10: Double? = nil,
                memoryPressureSome10: Double? = nil, ioPressureSome10: Double? = nil, memAvailableBytes: Double? = nil,
                time: Date) {
        self.load1 = load1
        self.load5 = load5
        self.load15 = load15
        self.cpuPressureSome10 = cpuPressureSome10
        self.memoryPressureSome10 = memoryPressureSome10
        self.ioPressureSome10 = ioPressureSome10
        self.memAvailableBytes = memAvailableBytes
        self.time = time
    }
}
