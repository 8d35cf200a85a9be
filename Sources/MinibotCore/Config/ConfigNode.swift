/// A parsed YAML value that remembers where it was written, so that every check of a
/// configuration (the master's, a plugin's, the agent's) can report `file:line:column`.
///
/// The core sees configuration only through this type: it never imports a YAML library.
/// Plugins receive their section of `master.cfg` as a `ConfigNode`.
public struct ConfigNode: Sendable {
    /// One `key: value` pair of a mapping, in file order.
    public struct Entry: Sendable {
        public var key: String
        public var keyLocation: SourceLocation
        public var value: ConfigNode

        public init(key: String, keyLocation: SourceLocation, value: ConfigNode) {
            self.key = key
            self.keyLocation = keyLocation
            self.value = value
        }
    }

    public enum Value: Sendable {
        case null
        /// A scalar's text; `isQuoted` tells `"3"` from `3`.
        case scalar(String, isQuoted: Bool)
        case sequence([ConfigNode])
        case mapping([Entry])
    }

    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }

    /// The mapping's entries, or nil when this is not a mapping.
    public var entries: [Entry]? {
        if case .mapping(let e) = value { return e }
        return nil
    }

    /// The value under `key` in a mapping.
    public subscript(key: String) -> ConfigNode? {
        entries?.first(where: { $0.key == key })?.value
    }

    /// The scalar text, or nil for anything else.
    public var scalar: String? {
        if case .scalar(let s, _) = value { return s }
        return nil
    }

    public var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// A word for the node's kind, for messages ("expected a list, found a mapping").
    public var kindName: String {
        switch value {
        case .null: "nothing"
        case .scalar: "a scalar"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}
