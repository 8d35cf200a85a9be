import Foundation

/// A master as a ``SharedStore`` knows it: a row of its `masters` table.
public struct MasterRecord: Sendable, Equatable {
    public var id: Int64
    public var name: String
    /// Which run of the name this is (each registration is a new generation).
    public var generation: Int64
    /// False once the reaper declared it dead (its lease passed).
    public var isActive: Bool
    /// The hash of the master.cfg it runs, when it recorded one.
    public var configHash: String?
    public var heartbeatAt: Date
    public var leaseExpiresAt: Date
    /// The one-master jobs it holds now (`scheduler:NAME`, `poller:NAME`), sorted.
    public var jobs: [String]

    public init(id: Int64, name: String, generation: Int64, isActive: Bool, configHash: String?,
                heartbeatAt: Date, leaseExpiresAt: Date, jobs: [String] = []) {
        self.id = id
        self.name = name
        self.generation = generation
        self.isActive = isActive
        self.configHash = configHash
        self.heartbeatAt = heartbeatAt
        self.leaseExpiresAt = leaseExpiresAt
        self.jobs = jobs
    }
}
