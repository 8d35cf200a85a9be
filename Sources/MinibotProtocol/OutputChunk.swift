import MinibotCore

/// A piece of one step's output as it crosses the link: from an ``OutputFrame`` (binary,
/// text or compressed) or a JSON `output` message (text).
public struct OutputChunk: Sendable, Equatable {
    public var buildID: Int64
    public var step: Int
    public var stream: LogStream
    public var payload: LogPayload

    public init(buildID: Int64, step: Int, stream: LogStream, payload: LogPayload) {
        self.buildID = buildID
        self.step = step
        self.stream = stream
        self.payload = payload
    }

    public init(_ output: WorkerMessage.StepOutput) {
        self.init(buildID: output.buildID, step: output.step, stream: output.stream, payload: .text(output.text))
    }
}
