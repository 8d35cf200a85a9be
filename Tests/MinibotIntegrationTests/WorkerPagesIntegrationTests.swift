import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 15: the worker page with its availability picture and the hosts page, on a real
/// master with the availability plugin, real workers and a real host agent.
@Suite("Worker and hosts pages", .serialized)
struct WorkerPagesIntegrationTests {
    @Test("a worker's page draws its window band and its build; the API gives the same; /hosts says no agent is in use")
    func workerPage() async throws {
        try await Scene.run("webui-worker") { scene in
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: hello, command: "echo hello"}
            """
            // Advisory (a lone worker still builds), daily so that it is in every 7-day picture,
            // in a zone other than the master's.
            let plugin = """
            plugins:
              availability:
                workers:
                  w1:
                    max_load: 50
                    windows:
                      - {when: "daily 01:00-02:00", timezone: Asia/Tokyo, mode: advisory, reason: "<b>night</b> backups"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"],
                                                             extra: plugin))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            let request = try await master.force("b")
            let id = MasterFixture.buildID(try await events.buildFinished(request: request))
            let c = master.anonymous

            let page = try await c.sendRaw("GET", "workers/w1", body: nil)
            #expect(page.status == 200)
            let html = page.text
            #expect(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\""), "\(html)")
            #expect(html.contains("class=\"band advisory\""))
            #expect(html.contains("<title>advisory: &lt;b&gt;night&lt;/b&gt; backups daily 01:00-02:00 Asia/Tokyo, "))
            #expect(!html.contains("<b>night</b>"))
            #expect(html.contains("class=\"threshold\"") && html.contains("<title>max load 50.0</title>"))
            #expect(html.contains("<title>b #1 SUCCESS, "))
            #expect(html.contains("href=\"/builds/\(id)\""))
            #expect(!html.contains("style="))
            #expect(try await c.sendRaw("GET", "workers/nobody", body: nil).status == 404)
            #expect(try await c.getText("workers").contains("<a href=\"/workers/w1\">w1</a>"))

            let api = try await c.get("api/v2/workers/w1/timeline")
            #expect(api["worker"]?.stringValue == "w1")
            let bands = api["timeline"]?["bands"]?.arrayValue ?? []
            #expect((7...8).contains(bands.count) && bands.allSatisfy { $0["state"]?.stringValue == "advisory" }, "\(api)")
            #expect(api["timeline"]?["max_load"]?.doubleValue == 50)
            #expect(try await c.sendRaw("GET", "api/v2/workers/nobody/timeline", body: nil).status == 404)

            let hosts = try await c.sendRaw("GET", "hosts", body: nil)
            #expect(hosts.status == 200 && hosts.text.contains("No host agents in use"))
            #expect(hosts.text.contains("href=\"/hosts\">Hosts</a>"))
        }
    }

    @Test("/hosts shows the agent connected, its slot, and the lease a running build holds")
    func hostsPage() async throws {
        try await HostAgentTests.withAgent("webui-hosts") { scene in
            let site = try await scene.addSite("ma", workers: ["a1"], seconds: 600)
            let request = try await site.master.force("job")
            let started = try await site.events.buildStarted(request: request)
            let c = site.master.anonymous
            let html = try await c.getText("hosts")
            #expect(html.contains("✔ connected"), "\(html)")
            #expect(html.contains("1 slot, 1 held by this master"))
            #expect(html.contains("href=\"/workers/a1\">a1</a>"))
            #expect(html.contains("request \(request) (build job #1)"))
            #expect(html.contains("href=\"/builds/\(MasterFixture.buildID(started))\""))
            #expect(html.contains(scene.socket))
            #expect(try await c.getText("workers/a1").contains(scene.socket))
        }
    }
}
