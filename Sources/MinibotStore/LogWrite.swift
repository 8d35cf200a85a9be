import MinibotCore

/// A chunk to add to a step's log.
public struct LogWrite: Sendable, Equatable {
    public var stream: LogStream
    public var payload: LogPayload

    public init(stream: LogStream, payload: LogPayload) {
        self.stream = stream
        self.payload = payload
    }
}
