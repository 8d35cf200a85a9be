import Foundation
import MinibotAvailability
import MinibotCore
import Testing

/// `while_unavailable` and `max_suspend`: read like every other key, inherited from `default:`.
@Suite struct WhileUnavailableSettingsTests {
    let master = MasterConfig(workers: [WorkerSpec(name: "w1", password: "x"), WorkerSpec(name: "w2", password: "y")])

    @Test func defaultsFinishAndOneHour() throws {
        let config = try AvailabilityConfiguration(node: Node.map([]), master: master)
        #expect(config.settings(for: "w1").whileUnavailable == .finish)
        #expect(config.settings(for: "w1").maxSuspend == 3600)
    }

    /// ```yaml
    /// 10 default: {while_unavailable: suspend, max_suspend: 30m}
    /// 11 workers:
    /// 12   w2: {while_unavailable: renice}
    /// ```
    @Test func aWorkerOverridesTheDefaultKeyByKey() throws {
        let node = Node.map([
            ("default", 10, 1, Node.map([
                ("while_unavailable", 10, 11, Node.scalar("suspend", 10, 30)),
                ("max_suspend", 10, 39, Node.scalar("30m", 10, 52)),
            ])),
            ("workers", 11, 1, Node.map([
                ("w2", 12, 3, Node.map([("while_unavailable", 12, 8, Node.scalar("renice", 12, 27))])),
            ])),
        ])
        let config = try AvailabilityConfiguration(node: node, master: master)
        #expect(config.settings(for: "w1").whileUnavailable == .suspend)
        #expect(config.settings(for: "w1").maxSuspend == 1800)
        #expect(config.settings(for: "w2").whileUnavailable == .renice)
        #expect(config.settings(for: "w2").maxSuspend == 1800)
    }

    @Test func badValuesSayWhereAndWhat() {
        let node = Node.map([
            ("default", 10, 1, Node.map([
                ("while_unavailable", 10, 11, Node.scalar("suspnd", 10, 30)),
                ("max_suspend", 10, 39, Node.scalar("0s", 10, 52)),
                ("max_suspnd", 10, 60, Node.scalar("1h", 10, 72)),
            ])),
            ("workers", 11, 1, Node.map([
                ("w2", 12, 3, Node.map([("max_suspend", 12, 8, Node.scalar("later", 12, 21))])),
            ])),
        ])
        let lines = AvailabilityPlugin.checkConfiguration(node, master: master).map(\.description)
        func has(_ location: String, _ fragment: String) -> Bool {
            lines.contains { $0.hasPrefix("master.cfg:\(location): ") && $0.contains(fragment) }
        }
        #expect(has("10:30", "'suspnd' is not a valid 'while_unavailable': use one of finish, renice, suspend; did you mean 'suspend'?"),
                "\(lines)")
        #expect(has("10:52", "'max_suspend' must be longer than zero"), "\(lines)")
        #expect(has("10:60", "unknown key 'max_suspnd'") && has("10:60", "did you mean 'max_suspend'?"), "\(lines)")
        #expect(has("12:21", "'later' is not a duration for 'max_suspend'"), "\(lines)")
        #expect(lines.count == 4, "\(lines)")
    }
}
