import Foundation
import MinibotConfig
import MinibotCore
import Testing

@Suite struct ExampleConfigTests {
    /// master.cfg.example at the repository root, which `minibot create-master` copies.
    static let examplePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("master.cfg.example").path

    @Test func exampleLoadsWithTheDemoShape() throws {
        let config: MasterConfig
        do {
            config = try MasterConfigLoader.load(path: Self.examplePath, plugins: demoPlugins)
        } catch {
            Issue.record("master.cfg.example does not load:\n\(error)")
            return
        }
        #expect(config.www == WWWConfig(port: 8010, bind: "127.0.0.1", adminTokenFile: "admin.token"))
        #expect(config.db == "state.sqlite")
        #expect(config.workers.map(\.name) == ["w1", "w2"])
        #expect(config.changeSources == [.gitPoller(GitPollerSpec(name: "demo", repository: "demo.git",
                                                                  branches: .only(["main"]), pollInterval: 600))])
        #expect(config.schedulers.map(\.name) == ["main", "force"])
        guard case .singleBranch(let main) = config.schedulers.first else { Issue.record("no single_branch"); return }
        #expect(main.branch == "main" && main.treeStableTimer == 1 && main.builders == ["test"])
        #expect(config.locks == [LockSpec(name: "cpu", kind: .worker, maxCount: 2, maxCountForWorker: ["w2": 1])])
        let test = try #require(config.builder(named: "test"))
        #expect(test.workers == ["w1", "w2"])
        #expect(test.locks == [LockAccess(name: "cpu", access: .exclusive)])
        #expect(test.steps.map(\.name) == ["git", "ls", "show readme"])
        #expect(test.steps.first?.action == .git(GitCheckoutSpec(repository: "demo.git", mode: .incremental)))
        let availability = try #require(config.plugins.first)
        #expect(availability.name == "availability")
        #expect(availability.node["workers"]?["w2"]?["windows"] != nil)
    }

    @Test func exampleNeedsTheAvailabilityPluginToBeKnown() {
        #expect(throws: ConfigErrors.self) {
            try MasterConfigLoader.load(path: Self.examplePath, plugins: [:])
        }
    }

    @Test func missingFileIsReported() {
        #expect {
            try MasterConfigLoader.load(path: "/nonexistent/master.cfg", plugins: [:])
        } throws: { error in
            let errors = (error as? ConfigErrors)?.errors ?? []
            return errors.count == 1 && errors[0].description.hasPrefix("/nonexistent/master.cfg:1:1: cannot read")
        }
    }
}
