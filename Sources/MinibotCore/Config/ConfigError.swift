/// One problem in a configuration file, printed as `file:line:column: message`.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ message: String, at location: SourceLocation) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// Every problem found in a configuration file; a checker reports all of them, not the first.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]

    public init(_ errors: [ConfigError]) { self.errors = errors }

    /// One error a line, in file order.
    public var description: String {
        errors.sorted { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) }
            .map(\.description).joined(separator: "\n")
    }
}
