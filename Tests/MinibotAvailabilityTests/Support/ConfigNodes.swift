import MinibotCore

/// Builds `ConfigNode`s by hand with explicit positions, as the YAML reader would.
enum Node {
    static func loc(_ line: Int, _ column: Int) -> SourceLocation {
        SourceLocation(file: "master.cfg", line: line, column: column)
    }

    static func scalar(_ text: String, _ line: Int, _ column: Int, quoted: Bool = false) -> ConfigNode {
        ConfigNode(.scalar(text, isQuoted: quoted), at: loc(line, column))
    }

    /// A mapping whose entries are `(key, line, column, value)`; the mapping starts at its first key.
    static func map(_ entries: [(String, Int, Int, ConfigNode)]) -> ConfigNode {
        let first = entries.first.map { loc($0.1, $0.2) } ?? loc(1, 1)
        return map(at: first, entries)
    }

    static func map(at location: SourceLocation, _ entries: [(String, Int, Int, ConfigNode)]) -> ConfigNode {
        ConfigNode(.mapping(entries.map { ConfigNode.Entry(key: $0.0, keyLocation: loc($0.1, $0.2), value: $0.3) }), at: location)
    }

    static func list(_ line: Int, _ column: Int, _ items: [ConfigNode]) -> ConfigNode {
        ConfigNode(.sequence(items), at: loc(line, column))
    }
}
