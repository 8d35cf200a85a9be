/// Why a `when` string or time zone could not be parsed; the message says what to write
/// instead. Configuration checkers attach it to the node's `file:line:column`.
public struct TimeWindowError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
