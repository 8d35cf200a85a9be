/// A worker the master accepts (`workers:` entry).
public struct WorkerSpec: Sendable, Equatable {
    public var name: String
    public var password: String
    /// How many builds may run on it at once.
    public var maxBuilds: Int
    /// Extra properties every build on this worker gets.
    public var properties: [String: String]
    /// The only protocol it may connect with (`protocol:`); nil: either.
    public var wireProtocol: WorkerProtocol?

    public init(name: String, password: String, maxBuilds: Int = 1, properties: [String: String] = [:],
                wireProtocol: WorkerProtocol? = nil) {
        self.name = name
        self.password = password
        self.maxBuilds = maxBuilds
        self.properties = properties
        self.wireProtocol = wireProtocol
    }
}
