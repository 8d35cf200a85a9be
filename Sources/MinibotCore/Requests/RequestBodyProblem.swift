/// Why a JSON request body from a client cannot be taken; the API answers 400 with the
/// message as its JSON reason.
public struct RequestBodyProblem: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
