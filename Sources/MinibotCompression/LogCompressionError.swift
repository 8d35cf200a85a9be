/// A compressed log chunk that could not be read back.
public struct LogCompressionError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
