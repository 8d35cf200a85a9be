import MinibotCore
@testable import MinibotMaster
import Testing

/// The live stream's pure parts: frames, scopes, the page's line counts.
@Suite struct EventStreamTests {
    @Test("server-sent events: id, event, one data line per line; scopes carry only their events")
    func serverSentEvents() {
        #expect(ServerSentEvent(id: 7, event: "log", data: "a\nb").encoded == "id: 7\nevent: log\ndata: a\ndata: b\n\n")
        let build = StreamScope.build(5)
        #expect(build.name(for: .stepStarted, fields: ["buildid": .number(5)]) == "step")
        #expect(build.name(for: .stepStarted, fields: ["buildid": .number(6)]) == nil)
        #expect(build.name(for: .workerAttached, fields: [:]) == nil)
        #expect(StreamScope.builder("b").name(for: .buildStarted, fields: ["builder": .string("c")]) == nil)
        #expect(StreamScope.home.name(for: .workerStatus, fields: [:]) == nil)
        #expect(StreamScope.workers.name(for: .workerStatus, fields: [:]) == "worker")
        #expect(StreamScope(query: APIQuery(["build": "x"])) == nil)
        #expect(StreamScope(query: APIQuery(["page": "home"])) == .home)
        #expect(EventStreamRoutes.lineCounts("0:12,1:x,2:3") == [0: 12, 2: 3])
    }
}
