import MinibotCore

/// A piece of a step's log.
public struct LogChunk: Sendable, Equatable {
    /// Increasing within a log; pass the last one seen as `afterChunk` to read on.
    public var id: Int64
    public var stream: LogStream
    public var text: String

    public init(id: Int64, stream: LogStream, text: String) {
        self.id = id
        self.stream = stream
        self.text = text
    }
}
