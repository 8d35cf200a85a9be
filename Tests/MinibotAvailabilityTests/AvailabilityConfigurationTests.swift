import Foundation
import MinibotAvailability
import MinibotCore
import Testing

@Suite struct AvailabilityConfigurationTests {
    let master = MasterConfig(workers: [
        WorkerSpec(name: "w1", password: "x"),
        WorkerSpec(name: "workstation", password: "y"),
    ])

    /// ```yaml
    /// 20 plugins:
    /// 21   availability:
    /// 22     default: {max_load: 3, on_unknown_load: advisory}
    /// 23     workers:
    /// 24       workstation:
    /// 25         flag: {state: advisory, reason: "Anna's desktop"}
    /// 26         windows:
    /// 27           - {when: "Mon-Fri 09:00-17:00", timezone: Europe/Paris, mode: unavailable, lead: 15m}
    /// 28           - "Sat,Sun 22:00-06:00"
    /// 29         max_load: 6
    /// 30         host_agent: required
    /// ```
    @Test func parsesDefaultsAndPerWorkerOverridesKeyByKey() throws {
        let node = Node.map([
            ("default", 22, 5, Node.map([
                ("max_load", 22, 15, Node.scalar("3", 22, 25)),
                ("on_unknown_load", 22, 28, Node.scalar("advisory", 22, 45)),
            ])),
            ("workers", 23, 5, Node.map([
                ("workstation", 24, 7, Node.map([
                    ("flag", 25, 9, Node.map([
                        ("state", 25, 16, Node.scalar("advisory", 25, 23)),
                        ("reason", 25, 33, Node.scalar("Anna's desktop", 25, 41, quoted: true)),
                    ])),
                    ("windows", 26, 9, Node.list(27, 11, [
                        Node.map([
                            ("when", 27, 14, Node.scalar("Mon-Fri 09:00-17:00", 27, 20, quoted: true)),
                            ("timezone", 27, 42, Node.scalar("Europe/Paris", 27, 52)),
                            ("mode", 27, 66, Node.scalar("unavailable", 27, 72)),
                            ("lead", 27, 85, Node.scalar("15m", 27, 91)),
                        ]),
                        Node.scalar("Sat,Sun 22:00-06:00", 28, 13, quoted: true),
                    ])),
                    ("max_load", 29, 9, Node.scalar("6", 29, 19)),
                    ("host_agent", 30, 9, Node.scalar("required", 30, 21)),
                ])),
            ])),
        ])
        #expect(AvailabilityPlugin.checkConfiguration(node, master: master).isEmpty)
        let config = try AvailabilityConfiguration(node: node, master: master)

        let w1 = config.settings(for: "w1")
        #expect(w1.maxLoad == 3)
        #expect(w1.onUnknownLoad == .advisory)
        #expect(w1.windows.isEmpty)
        #expect(w1.flag == nil)
        #expect(w1.statusInterval == 5)

        let ws = config.settings(for: "workstation")
        #expect(ws.maxLoad == 6)
        #expect(ws.resumeLoad == nil)                 // 80 % of its own max_load, not inherited
        #expect(ws.onUnknownLoad == .advisory)        // inherited key by key
        #expect(ws.flag == ConfiguredFlag(state: .advisory, reason: "Anna's desktop"))
        #expect(ws.hostAgent == .required)
        #expect(ws.windows.count == 2)
        #expect(ws.windows[0].lead == 900)
        #expect(ws.windows[0].window.timeZone.identifier == "Europe/Paris")
        #expect(ws.windows[1].mode == .unavailable)
        #expect(ws.windows[1].window.wrapsMidnight)
    }

    @Test func emptySectionIsValid() throws {
        let empty = ConfigNode(.null, at: Node.loc(21, 16))
        #expect(AvailabilityPlugin.checkConfiguration(empty, master: master).isEmpty)
        #expect(try AvailabilityConfiguration(node: empty, master: master).settings(for: "w1") == WorkerAvailabilitySettings())
    }

    /// Every problem is reported, each at its own `file:line:column`.
    @Test func reportsEveryProblemWithItsLocation() {
        let node = Node.map([
            ("default", 22, 5, Node.map([
                ("max_load", 22, 15, Node.scalar("three", 22, 25)),
                ("load_mode", 22, 32, Node.scalar("advisroy", 22, 43)),
            ])),
            ("workers", 23, 5, Node.map([
                ("workstaton", 24, 7, Node.map([
                    ("windows", 25, 9, Node.list(26, 11, [
                        Node.map([
                            ("when", 26, 14, Node.scalar("Mon-Fry 09:00-17:00", 26, 20, quoted: true)),
                            ("timezone", 26, 42, Node.scalar("Europe/Pariss", 26, 52)),
                        ]),
                        Node.map([
                            ("when", 27, 14, Node.scalar("Mon 09:00-25:00", 27, 20, quoted: true)),
                            ("mode", 27, 38, Node.scalar("sometimes", 27, 44)),
                        ]),
                    ])),
                    ("max_lod", 28, 9, Node.scalar("4", 28, 18)),
                ])),
                ("w1", 29, 7, Node.map([
                    ("max_load", 29, 11, Node.scalar("2", 29, 21)),
                    ("resume_load", 29, 24, Node.scalar("2.5", 29, 37)),
                    ("status_interval", 29, 42, Node.scalar("soon", 29, 59)),
                ])),
            ])),
        ])
        let errors = AvailabilityPlugin.checkConfiguration(node, master: master)
        let lines = Set(errors.map(\.description))
        func has(_ location: String, _ fragment: String) -> Bool {
            lines.contains { $0.hasPrefix("master.cfg:\(location): ") && $0.contains(fragment) }
        }
        #expect(has("22:25", "expected a number for 'max_load', found 'three'"))
        #expect(has("22:43", "'advisroy' is not a valid 'load_mode': use one of unavailable, advisory; did you mean 'advisory'?"))
        #expect(has("24:7", "unknown worker 'workstaton'; did you mean 'workstation'?"))
        #expect(has("26:20", "unknown day 'Fry'"))
        #expect(has("26:52", "unknown time zone 'Europe/Pariss'"))
        #expect(has("27:20", "bad time '25:00'"))
        #expect(has("27:44", "'sometimes' is not a valid 'mode': use one of unavailable, advisory"))
        #expect(has("28:9", "unknown key 'max_lod'"))
        #expect(has("28:9", "did you mean 'max_load'?"))
        #expect(has("29:37", "'resume_load' (2.5) must be below 'max_load' (2.0)"))
        #expect(has("29:59", "'soon' is not a duration for 'status_interval'"))
        #expect(errors.count == 10, "\(errors)")

        #expect(throws: ConfigErrors.self) { try AvailabilityConfiguration(node: node, master: master) }
    }

    /// A default `resume_load` that cannot work is one mistake, reported once, not once per
    /// worker that inherits it.
    @Test func inheritedResumeProblemIsReportedOnce() {
        let workers = MasterConfig(workers: (1...5).map { WorkerSpec(name: "w\($0)", password: "x") })
        let node = Node.map([
            ("default", 2, 5, Node.map([
                ("max_load", 2, 15, Node.scalar("2", 2, 25)),
                ("resume_load", 2, 28, Node.scalar("3", 2, 41)),
            ])),
            ("workers", 3, 5, Node.map((1...5).map { ("w\($0)", 3 + $0, 7, Node.map([("status_interval", 3 + $0, 11, Node.scalar("10s", 3 + $0, 28))])) })),
        ])
        let errors = AvailabilityPlugin.checkConfiguration(node, master: workers)
        #expect(errors.map(\.description) == ["master.cfg:2:41: 'resume_load' (3.0) must be below 'max_load' (2.0): the worker takes builds again once its load falls below it"])
    }

    @Test func rejectsWrongShapes() {
        let node = Node.map([
            ("default", 22, 5, Node.scalar("fast", 22, 14)),
            ("workers", 23, 5, Node.map([
                ("w1", 24, 7, Node.map([
                    ("windows", 25, 9, Node.scalar("Mon-Fri", 25, 18)),
                    ("flag", 26, 9, Node.map([("reason", 26, 16, Node.scalar("x", 26, 24))])),
                ])),
            ])),
            ("extra", 27, 5, Node.scalar("1", 27, 12)),
        ])
        let errors = AvailabilityPlugin.checkConfiguration(node, master: master).map(\.description)
        #expect(errors.contains { $0.hasPrefix("master.cfg:22:14: expected a mapping for an availability block, found 'fast'") })
        #expect(errors.contains { $0.hasPrefix("master.cfg:25:18: expected a list for 'windows'") })
        #expect(errors.contains { $0.hasPrefix("master.cfg:26:16: 'flag' needs a 'state'") })
        #expect(errors.contains { $0.hasPrefix("master.cfg:27:5: unknown key 'extra'") })
    }
}
