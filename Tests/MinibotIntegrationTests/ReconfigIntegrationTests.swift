import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// `minibot reconfig DIR` and SIGHUP against a master with a build running.
@Suite("Reconfig (integration)", .serialized)
struct ReconfigIntegrationTests {
    /// The configuration, with optional extra builders (each runs `true` on w1).
    static func config(_ gates: DistributorGates, extra: [String] = [], withW2: Bool = true) -> String {
        var text = """
            title: reconfig
            www: {port: 0, admin_token_file: admin.token}
            workers:
              - {name: w1, password: pw, max_builds: 2}

            """
        if withW2 { text += "  - {name: w2, password: pw}\n" }
        let forced = ["long"] + (withW2 ? ["elsewhere"] : []) + extra
        text += """
            schedulers:
              - force: {name: force, builders: [\(forced.joined(separator: ", "))]}
            builders:
              - name: long
                workers: [w1]
                steps:
                  - shell: {name: hold, command: \(gates.gate("long"))}

            """
        if withW2 {
            text += """
                  - name: elsewhere
                    workers: [w2]
                    steps:
                      - shell: {name: hold, command: \(gates.gate("a"))}

                """
        }
        for name in extra {
            text += """
                  - name: \(name)
                    workers: [w1]
                    steps:
                      - shell: {name: quick, command: [\"true\"]}

                """
        }
        return text
    }

    @Test("reconfig adds a builder without interrupting a running build; a bad config is rejected and the old one stays")
    func reconfigAddsBuilder() async throws {
        try await DistributorCluster.with("dist-reconfig", workers: ["w1", "w2"]) { gates in
            Self.config(gates)
        } _: { cluster in
            let master = cluster.master
            let file = master.directory.appendingPathComponent("master.cfg")
            let events = try await master.events()
            let long = try await master.force("long")
            let elsewhere = try await master.force("elsewhere")
            let running = try #require(try await events.buildStarted(request: long)["buildid"]?.int64)
            _ = try await events.buildStarted(request: elsewhere)

            // `minibot reconfig DIR`: add builder n, remove worker w2 (and its builder) while it builds.
            try Self.config(cluster.gates, extra: ["n"], withW2: false).write(to: file, atomically: true, encoding: .utf8)
            let reconfig = try await cluster.minibot(["reconfig", master.directory.path])
            #expect(reconfig.status == 0, "\(reconfig)")
            _ = try await events.wait("config_reloaded") { $0["type"]?.stringValue == "config_reloaded" }
            let n = try await master.force("n")
            #expect(try await events.buildFinished(request: n)["results_name"]?.stringValue == "SUCCESS")

            // The removed worker finishes its build, then is disconnected.
            cluster.gates.open("a")
            #expect(try await events.buildFinished(request: elsewhere)["results_name"]?.stringValue == "SUCCESS")
            _ = try await events.wait("w2 to be disconnected") {
                $0["type"]?.stringValue == "worker_detached" && $0["worker"]?.stringValue == "w2"
            }

            // A bad config: the CLI refuses with file:line:column, and SIGHUP keeps the old one.
            let good = try String(contentsOf: file, encoding: .utf8)
            try good.replacingOccurrences(of: "workers: [w1]\n    steps:\n      - shell: {name: quick",
                                          with: "workers: [nope]\n    steps:\n      - shell: {name: quick")
                .write(to: file, atomically: true, encoding: .utf8)
            let rejected = try await cluster.minibot(["reconfig", master.directory.path])
            #expect(rejected.status == 1)
            #expect(rejected.stdout.range(of: #"master\.cfg:\d+:\d+: .*nope"#, options: .regularExpression) != nil,
                    "\(rejected)")
            master.process.signal(SIGHUP)
            _ = try await events.wait("config_rejected") { $0["type"]?.stringValue == "config_rejected" }
            let again = try await master.force("n")
            #expect(try await events.buildFinished(request: again)["results_name"]?.stringValue == "SUCCESS")

            // SIGHUP with a good config adds n2.
            let reloads = try await master.events()
            try Self.config(cluster.gates, extra: ["n", "n2"], withW2: false).write(to: file, atomically: true, encoding: .utf8)
            master.process.signal(SIGHUP)
            _ = try await reloads.wait("config_reloaded") { $0["type"]?.stringValue == "config_reloaded" }
            let n2 = try await master.force("n2")
            #expect(try await events.buildFinished(request: n2)["results_name"]?.stringValue == "SUCCESS")

            // The build that ran through all of it was never interrupted.
            cluster.gates.open("long")
            let finished = try await events.buildFinished(request: long)
            #expect(finished["buildid"]?.int64 == running)
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
        }
    }

    @Test("an unknown plugin key is a checkconfig error that lists the known plugins")
    func unknownPlugin() async throws {
        let dir = try TemporaryDirectory("dist-plugin-key")
        defer { dir.remove() }
        try """
            workers:
              - {name: w1, password: pw}
            builders:
              - name: b
                workers: [w1]
                steps:
                  - shell: {command: [\"true\"]}
            plugins:
              prefer_idel: {}
            """.write(to: dir.appending("master.cfg"), atomically: true, encoding: .utf8)
        let check = try await DistributorCluster.minibot(["checkconfig", dir.path], in: dir)
        #expect(check.status == 1)
        #expect(check.stdout.range(of: #"master\.cfg:9:3: .*prefer_idel"#, options: .regularExpression) != nil, "\(check)")
        #expect(check.stdout.contains("prefer_idle") && check.stdout.contains("availability"), "\(check)")
    }
}

/// A reconfig that adds or removes a `plugins:` section enables or disables the plugin at once.
@Suite("Reconfig of plugins (integration)")
struct PluginReconfigTests {
    @Test("a reconfig enables the availability plugin (its flag holds a build) and a later one disables it")
    func reconfigEnablesAndDisablesAPlugin() async throws {
        try await Scene.run("plugin-reconfig") { scene in
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: hi, command: "echo hi"}
            """
            let plain = masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"])
            let master = try await scene.master(plain)
            try await scene.workers(["w1"], master: master)
            let file = master.directory.appendingPathComponent("master.cfg")
            let events = try await master.events()
            #expect((try? await master.client.get("api/v2/plugins/availability/workers/w1")) == nil, "not enabled yet")

            let withPlugin = plain + """

                plugins:
                  availability:
                    workers:
                      w1: {flag: {state: unavailable, reason: "disk swap"}}

                """
            try withPlugin.write(to: file, atomically: true, encoding: .utf8)
            let enable = try await scene.cli(["reconfig", master.directory.path])
            #expect(enable.status == 0, "\(enable.stderr)")
            _ = try await events.wait("config_reloaded") { $0["type"]?.stringValue == "config_reloaded" }
            let w1 = try await master.client.get("api/v2/plugins/availability/workers/w1")
            #expect(w1["state"]?.stringValue == "unavailable", "\(w1)")
            let request = try await master.force("b")
            _ = try await events.requestWaiting(request, containing: "disk swap")

            try plain.write(to: file, atomically: true, encoding: .utf8)
            let disable = try await scene.cli(["reconfig", master.directory.path])
            #expect(disable.status == 0, "\(disable.stderr)")
            #expect(try await events.buildFinished(request: request)["results_name"]?.stringValue == "SUCCESS")
        }
    }
}
