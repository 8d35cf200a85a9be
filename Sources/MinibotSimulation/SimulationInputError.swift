/// A trace, an arrivals list or an answer the simulator cannot use, with what is wrong and,
/// for a file, where (`arrivals.txt:3: ...`).
public struct SimulationInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
