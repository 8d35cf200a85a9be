/// A flight recorder file that cannot be opened, created or read; the message names the problem.
public struct FlightRecorderError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
