import Foundation
import HTTPTypes
import Hummingbird
import MinibotCore
import MinibotStore
import ServiceLifecycle

/// `GET /events?SCOPE`: one Server-Sent Events stream per page, fed by the master's
/// ``EventLog`` and filtered by ``StreamScope``. Each frame's `id:` is the event's sequence
/// number, so a reconnecting EventSource resumes after `Last-Event-ID`; a comment ping goes
/// out after 15 s without events; `X-Accel-Buffering: no` keeps nginx from holding frames.
///
/// A page's stream (home, pending, workers, a builder) sends one frame for a batch of events
/// (`data: {"types": [...]}`, named after the newest), at most one a second
/// (``pageInterval``). On a build's stream (`build=ID&lines=STEP:COUNT,…`) each `step_log` becomes `log` frames
/// with the new lines already rendered by ``AnsiToHTML`` (one converter per step, run from
/// the log's start so colours set early hold). Lines the page already has (`COUNT`) are not
/// sent again; the stream reads the log from the store, so it needs no copy of the output.
struct EventStreamRoutes: Sendable {
    let runtime: MasterRuntime

    /// How long a stream stays quiet before a ping.
    static let pingInterval = 15.0
    /// How often a quiet stream checks whether the master is shutting down.
    static let wakeInterval = 1.0
    /// A page's frame: `data: {"types": ["build_finished", ...]}`, the kinds that happened (the
    /// types are the master's own identifiers, never client text).
    static func pageFrame(id: Int64, name: String, types: some Sequence<MasterEvent>) -> String {
        let list = Set(types.map(\.rawValue)).sorted().map { "\"\($0)\"" }.joined(separator: ",")
        return ServerSentEvent(id: id, event: name, data: "{\"types\":[\(list)]}").encoded
    }

    /// The most lines one `log` frame carries.
    static let linesPerFrame = 500
    /// Seconds between two frames of a page's stream (home, pending, workers, a builder):
    /// the page reloads its content on one anyway, and this keeps 100 open pages from
    /// costing the master a frame each per event.
    static let pageInterval = 1.0

    func register(on router: Router<MasterRequestContext>) {
        router.get("events") { request, context in
            let query = request.apiQuery
            guard let scope = StreamScope(query: query) else {
                return APIJSON.error(.badRequest, "name a scope: build=ID, builder=NAME or page=home|pending|workers")
            }
            let known = Self.lineCounts(query.string("lines") ?? "")
            let resume = request.headers[.lastEventID].flatMap { Int64($0) }
            switch runtime.longPolls.admit(context.remoteAddress ?? "unknown") {
            case .refused(let reason):
                return StreamRefusal.response(reason, closing: context.channel)
            case .taken(let ticket):
                return stream(scope: scope, known: known, resumeAfter: resume, ticket: ticket)
            }
        }
    }

    /// `0:120,1:45` → [0: 120, 1: 45]; bad parts are ignored (the page just gets more lines).
    static func lineCounts(_ text: String) -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for part in text.split(separator: ",").prefix(1000) {
            let kv = part.split(separator: ":")
            if kv.count == 2, let step = Int(kv[0]), let n = Int(kv[1]), n >= 0 { counts[step] = n }
        }
        return counts
    }

    /// The stream holds `ticket` (its place among the master's long polls and streams) until
    /// its body is done or dropped.
    private func stream(scope: StreamScope, known: [Int: Int], resumeAfter: Int64?, ticket: LongPollTicket) -> Response {
        let log = runtime.plugins.events
        let store = runtime.store
        let clock = runtime.clock
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache", .xAccelBuffering: "no"]
        let body = ResponseBody { [ticket] writer in
            // The closure holds the ticket: the place is given back when the response is gone.
            withExtendedLifetime(ticket) {}
            // Taken before the logs are read, so no output stored meanwhile is missed.
            var after = resumeAfter ?? log.last
            var logs = BuildLogFollower(known: known)
            if case .build(let id) = scope {
                try await writer.write(ByteBuffer(string: ": stream of build \(id)\n\n"))
                for step in try await store.steps(buildID: id) where step.startedAt != nil {
                    for frame in try await logs.read(store: store, build: id, step: step.number, isDone: step.completedAt != nil, seq: after) {
                        try await writer.write(ByteBuffer(string: frame.encoded))
                    }
                }
            } else {
                try await writer.write(ByteBuffer(string: ": stream\n\n"))
            }
            // Short waits, so that a stream ends within a second of the master's graceful
            // shutdown (which waits for every open response) or of its task's cancellation.
            var quietSince = clock.now()
            let types = scope.eventTypes
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                var frames: [String] = []
                if let types {
                    // A page whose scope is a set of types: the newest of each, nothing copied.
                    let newest = await log.wait(after: after, timeout: Self.wakeInterval)
                    let hits = log.newest(of: types, after: after)
                    after = max(after, newest)
                    if let top = hits.max(by: { $0.value < $1.value }), let name = scope.name(for: top.key, fields: [:]) {
                        frames.append(Self.pageFrame(id: top.value, name: name, types: hits.keys))
                    }
                } else {
                    let events = await log.events(after: after, timeout: Self.wakeInterval)
                    after = events.last?.seq ?? after
                    if scope.isPage {
                        // A builder's page: the fields decide, so its events are read.
                        let matching = events.filter { scope.name(for: $0.type, fields: $0.fields) != nil }
                        if let last = matching.last, let name = scope.name(for: last.type, fields: last.fields) {
                            frames.append(Self.pageFrame(id: last.seq, name: name, types: matching.map(\.type)))
                        }
                    }
                    for e in events where !scope.isPage {
                        guard let name = scope.name(for: e.type, fields: e.fields) else { continue }
                        if case .build(let id) = scope, let step = e.fields["step"]?.intValue,
                           e.type == .stepLog || e.type == .stepFinished {
                            frames += try await logs.read(store: store, build: id, step: step, isDone: e.type == .stepFinished,
                                                          seq: e.seq).map(\.encoded)
                            if e.type == .stepLog { continue }
                        }
                        var fields = e.fields
                        fields["type"] = .string(e.type.rawValue)
                        if let origin = e.origin { fields["master"] = .string(origin) }
                        frames.append(ServerSentEvent(id: e.seq, event: name,
                                                      data: String(decoding: JSONValue.object(fields).data, as: UTF8.self)).encoded)
                    }
                }
                guard !frames.isEmpty else {
                    if clock.now().timeIntervalSince(quietSince) >= Self.pingInterval {
                        try await writer.write(ByteBuffer(string: ServerSentEvent.ping))
                        quietSince = clock.now()
                    }
                    continue
                }
                for frame in frames { try await writer.write(ByteBuffer(string: frame)) }
                quietSince = clock.now()
                // A page reloads its content on a frame anyway: at most one per ``pageInterval``.
                if scope.isPage { try? await clock.sleep(seconds: Self.pageInterval) }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}

extension HTTPField.Name {
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
    static let xAccelBuffering = HTTPField.Name("X-Accel-Buffering")!
}
