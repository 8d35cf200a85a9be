/// The settings of one mapping, read by key through its ``ConfigReader``.
///
/// Given to the body of ``ConfigReader/mapping(_:_:keys:_:)``. A key that is absent or
/// written with no value (`timeout:`) counts as not set: the optional readers return nil,
/// the defaulted ones their default, and `required: true` records `missing 'name' in …`.
/// A value of the wrong shape records an error and reads as not set.
///
/// ```swift
/// reader.mapping(node, "a window", keys: ["when", "timezone", "mode", "lead"]) { m in
///     Window(when: m.string("when", required: true) ?? "",
///            timezone: m.string("timezone", default: "UTC"),
///            mode: m.choice("mode", default: Mode.advisory),
///            lead: m.duration("lead", default: 0))
/// }
/// ```
public struct ConfigMapping {
    /// The mapping itself (its location is where it starts).
    public let node: ConfigNode
    /// Its entries, in file order.
    public let entries: [ConfigNode.Entry]
    /// How messages name this mapping (`www`, `a worker`).
    public let what: String
    /// The reader collecting errors, for nested custom reads.
    public let reader: ConfigReader

    public init(node: ConfigNode, entries: [ConfigNode.Entry], what: String, reader: ConfigReader) {
        self.node = node
        self.entries = entries
        self.what = what
        self.reader = reader
    }

    /// The value under `key`, nil when absent or empty.
    public subscript(key: String) -> ConfigNode? {
        guard let value = entries.first(where: { $0.key == key })?.value, !value.isNull else { return nil }
        return value
    }

    /// Whether `key` is written with a value.
    public func has(_ key: String) -> Bool { self[key] != nil }

    /// Where `key` is written, or where the mapping starts when it is absent.
    public func location(of key: String) -> SourceLocation {
        entries.first(where: { $0.key == key })?.keyLocation ?? node.location
    }

    /// Records a problem about `key`, at the key (or at the mapping when it is absent).
    public func error(_ message: String, at key: String) {
        reader.error(message, at: location(of: key))
    }

    /// The value under `key`; when `required` and absent, records `missing 'key' in …`.
    public func value(_ key: String, required: Bool = false) -> ConfigNode? {
        if let value = self[key] { return value }
        if required {
            if let entry = entries.first(where: { $0.key == key }) {
                reader.error("'\(key)' in \(what) has no value; it is required", at: entry.keyLocation)
            } else {
                reader.error("missing '\(key)' in \(what); it is required", at: node.location)
            }
        }
        return nil
    }

    // MARK: typed values

    public func string(_ key: String, required: Bool = false) -> String? {
        value(key, required: required).flatMap { reader.string($0, "'\(key)'") }
    }

    public func string(_ key: String, default fallback: String) -> String {
        string(key) ?? fallback
    }

    public func int(_ key: String, required: Bool = false, range: ClosedRange<Int>? = nil) -> Int? {
        value(key, required: required).flatMap { reader.int($0, "'\(key)'", range: range) }
    }

    public func int(_ key: String, default fallback: Int, range: ClosedRange<Int>? = nil) -> Int {
        int(key, range: range) ?? fallback
    }

    public func double(_ key: String, required: Bool = false, range: ClosedRange<Double>? = nil) -> Double? {
        value(key, required: required).flatMap { reader.double($0, "'\(key)'", range: range) }
    }

    public func double(_ key: String, default fallback: Double, range: ClosedRange<Double>? = nil) -> Double {
        double(key, range: range) ?? fallback
    }

    public func bool(_ key: String, required: Bool = false) -> Bool? {
        value(key, required: required).flatMap { reader.bool($0, "'\(key)'") }
    }

    public func bool(_ key: String, default fallback: Bool) -> Bool {
        bool(key) ?? fallback
    }

    /// Seconds, from `90s`, `5m`, `1h`...
    public func duration(_ key: String, required: Bool = false) -> Double? {
        value(key, required: required).flatMap { reader.duration($0, "'\(key)'") }
    }

    public func duration(_ key: String, default fallback: Double) -> Double {
        duration(key) ?? fallback
    }

    /// One of `allowed`.
    public func word(_ key: String, allowed: [String], required: Bool = false) -> String? {
        value(key, required: required).flatMap { reader.word($0, "'\(key)'", allowed: allowed) }
    }

    /// A case of a string enum: `m.choice("kind", default: LockSpec.Kind.master)`.
    public func choice<E: RawRepresentable & CaseIterable>(_ key: String, as type: E.Type = E.self,
                                                           required: Bool = false) -> E?
    where E.RawValue == String {
        value(key, required: required).flatMap { reader.choice($0, "'\(key)'", as: type) }
    }

    public func choice<E: RawRepresentable & CaseIterable>(_ key: String, default fallback: E) -> E
    where E.RawValue == String {
        choice(key, as: E.self) ?? fallback
    }

    // MARK: collections

    public func list<T>(_ key: String, required: Bool = false, _ each: (ConfigNode) -> T?) -> [T]? {
        value(key, required: required).flatMap { reader.list($0, "'\(key)'", each) }
    }

    public func strings(_ key: String, required: Bool = false) -> [String]? {
        value(key, required: required).flatMap { reader.strings($0, "'\(key)'") }
    }

    /// One string or a list of strings.
    public func stringOrList(_ key: String, required: Bool = false) -> [String]? {
        value(key, required: required).flatMap { reader.stringOrList($0, "'\(key)'") }
    }

    public func stringMap(_ key: String) -> [String: String]? {
        value(key).flatMap { reader.stringMap($0, "'\(key)'") }
    }

    public func dictionary<T>(_ key: String, _ each: (ConfigNode.Entry) -> T?) -> [String: T]? {
        value(key).flatMap { reader.dictionary($0, "'\(key)'", each) }
    }

    /// A nested mapping of settings, e.g. `change_hook: {secret: ...}`.
    public func mapping<T>(_ key: String, keys: [String]?, required: Bool = false,
                           _ body: (ConfigMapping) -> T) -> T? {
        value(key, required: required).flatMap { reader.mapping($0, "'\(key)'", keys: keys, body) }
    }
}
