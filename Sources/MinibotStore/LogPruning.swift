/// What one janitor run deleted.
public struct LogPruning: Sendable, Equatable {
    public var builds: Int
    public var chunks: Int

    public init(builds: Int = 0, chunks: Int = 0) {
        self.builds = builds
        self.chunks = chunks
    }
}
