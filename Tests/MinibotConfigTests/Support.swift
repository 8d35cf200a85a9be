import MinibotConfig
import MinibotCore

/// A checker that accepts any plugin section, for configurations that enable plugins
/// whose real checkers live in other modules.
let permissive: PluginConfigChecker = { _, _ in [] }
let demoPlugins: [String: PluginConfigChecker] = ["availability": permissive, "prefer_idle": permissive]

/// The problems in `text` as `line:column: message`, in file order (empty when it loads).
func problems(_ text: String, plugins: [String: PluginConfigChecker] = demoPlugins) -> [String] {
    do {
        _ = try MasterConfigLoader.parse(text: text, path: "master.cfg", plugins: plugins)
        return []
    } catch {
        return error.errors.map { "\($0.location.line):\($0.location.column): \($0.message)" }
    }
}

/// `text` loaded, failing the test with every problem when it does not load.
func load(_ text: String, plugins: [String: PluginConfigChecker] = demoPlugins) throws -> MasterConfig {
    try MasterConfigLoader.parse(text: text, path: "master.cfg", plugins: plugins)
}

/// A small valid configuration, one section a line where tests edit it.
let minimal = """
    workers:
      - {name: w1, password: p1}
      - {name: w2, password: p2}
    builders:
      - name: test
        workers: [w1, w2]
        steps:
          - shell: {command: [make, test]}
    """
