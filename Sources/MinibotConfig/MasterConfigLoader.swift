import MinibotCore

/// Checks one plugin's section of `master.cfg` (its node under `plugins:`), given the rest
/// of the configuration; a plugin's `checkConfiguration` fits as is.
public typealias PluginConfigChecker = @Sendable (ConfigNode, MasterConfig) -> [ConfigError]

/// Reads `master.cfg` into a checked ``MasterConfig``, reporting every problem as
/// `file:line:column: message` (DESIGN.md §7).
///
/// Called by the master at start and on every reconfig, and by `minibot checkconfig`, with
/// the checkers of the plugins the executable links, keyed by plugin name. Every problem is
/// collected — YAML syntax aside, which stops parsing — and thrown together, in file order.
public enum MasterConfigLoader {
    /// The keys of the top level of `master.cfg`.
    public static let topLevelKeys = ["title", "www", "db", "workers", "change_sources", "schedulers",
                                      "locks", "builders", "plugins", "janitor", "distributor", "heartbeat"]

    /// Reads and checks the file at `path`. Relative paths inside it (`db`, repositories,
    /// `admin_token_file`) are kept as written: they are relative to the master directory.
    ///
    /// A file a master runs must define at least one builder: a master.cfg cut short (a
    /// truncated write, an editor's partial save) usually loses its end, and the builders are
    /// at the end; reloading it would otherwise wipe every builder of a running master.
    public static func load(path: String, plugins: [String: PluginConfigChecker]) throws(ConfigErrors) -> MasterConfig {
        try check(YAMLDocument(contentsOf: path), plugins: plugins, requireBuilders: true)
    }

    /// Checks `text` as if read from `path`.
    /// Checks `text` as if read from `path`; `requireBuilders` as ``load(path:plugins:)`` does.
    public static func parse(text: String, path: String = "master.cfg", plugins: [String: PluginConfigChecker],
                             requireBuilders: Bool = false) throws(ConfigErrors) -> MasterConfig {
        try check(YAMLDocument(text: text, path: path), plugins: plugins, requireBuilders: requireBuilders)
    }

    private static func check(_ document: YAMLDocument, plugins: [String: PluginConfigChecker],
                              requireBuilders: Bool) throws(ConfigErrors) -> MasterConfig {
        let reader = ConfigReader(errors: document.errors)
        let parser = MasterConfigParser(reader: reader, path: document.path, knownPlugins: plugins.keys.sorted())
        let config = parser.parse(document.root)
        if requireBuilders, config.builders.isEmpty, !document.root.isNull {
            reader.error("\(config.path.split(separator: "/").last.map(String.init) ?? config.path) defines no builders; "
                         + "a master needs at least one (is the file complete?)", at: document.root.location)
        }
        parser.checkReferences()
        // Plugins are checked even when the core sections have problems, so one run shows
        // everything; names that failed to parse are still in `config`, which keeps a
        // plugin from reporting a worker as unknown only because its password was missing.
        for section in config.plugins {
            if let checker = plugins[section.name] { reader.append(contentsOf: checker(section.node, config)) }
        }
        guard reader.errors.isEmpty else {
            throw ConfigErrors(reader.errors.enumerated().sorted { a, b in
                (a.element.location.line, a.element.location.column, a.offset)
                    < (b.element.location.line, b.element.location.column, b.offset)
            }.map(\.element))
        }
        return config
    }
}
