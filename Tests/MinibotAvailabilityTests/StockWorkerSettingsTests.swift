import MinibotAvailability
import MinibotCore
import Testing

/// Issue 13: a worker declared `protocol: msgpack` is a stock buildbot-worker, which has no
/// host agent: `host_agent` in its block is refused where it is written.
struct StockWorkerSettingsTests {
    let master = MasterConfig(workers: [
        WorkerSpec(name: "w1", password: "x"),
        WorkerSpec(name: "stock", password: "y", wireProtocol: .msgpack),
        WorkerSpec(name: "native", password: "z", wireProtocol: .native),
    ])

    /// ```yaml
    /// 21   availability:
    /// 22     default: {host_agent: required}
    /// 23     workers:
    /// 24       stock: {max_load: 2, host_agent: required}
    /// 25       native: {host_agent: ignore}
    /// ```
    @Test func hostAgentIsRefusedForAStockWorkerAtItsKey() {
        let node = Node.map([
            ("default", 22, 5, Node.map([("host_agent", 22, 15, Node.scalar("required", 22, 27))])),
            ("workers", 23, 5, Node.map([
                ("stock", 24, 7, Node.map([
                    ("max_load", 24, 15, Node.scalar("2", 24, 25)),
                    ("host_agent", 24, 28, Node.scalar("required", 24, 40)),
                ])),
                ("native", 25, 7, Node.map([("host_agent", 25, 16, Node.scalar("ignore", 25, 28))])),
            ])),
        ])
        let errors = AvailabilityPlugin.checkConfiguration(node, master: master).map(\.description)
        #expect(errors == [
            "master.cfg:24:28: 'host_agent' cannot apply to worker 'stock': it is declared 'protocol: msgpack' "
                + "(a stock buildbot-worker has no host agent); remove the key",
        ])
        // The master refuses to load it too.
        #expect(throws: ConfigErrors.self) { try AvailabilityConfiguration(node: node, master: master) }
    }

    /// `default:` may say `host_agent` (it applies only to workers that have an agent), and a
    /// stock worker's block may set load thresholds: the master polls its load.
    @Test func loadThresholdsAndTheDefaultHostAgentAreFine() throws {
        let node = Node.map([
            ("default", 22, 5, Node.map([("host_agent", 22, 15, Node.scalar("required", 22, 27))])),
            ("workers", 23, 5, Node.map([
                ("stock", 24, 7, Node.map([("max_load", 24, 15, Node.scalar("2", 24, 25))])),
            ])),
        ])
        #expect(AvailabilityPlugin.checkConfiguration(node, master: master).isEmpty)
        #expect(try AvailabilityConfiguration(node: node, master: master).settings(for: "stock").maxLoad == 2)
    }
}
