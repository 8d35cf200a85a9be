/// A transport-level failure of a `LineChannel`: could not bind or connect, a line too long,
/// a line that is not the expected JSON. The message says what to check.
public struct LineChannelError: Error, CustomStringConvertible, Sendable {
    public let message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}
