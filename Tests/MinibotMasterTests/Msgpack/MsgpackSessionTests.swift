import MinibotCore
@testable import MinibotMaster
import MinibotProtocol
import Testing

/// The stock-worker session as a pure value: what it sends, how it reads answers and
/// requests, when it closes. Times are instants the test moves; nothing sleeps.
struct MsgpackSessionTests {
    static let t0 = ContinuousClock.now

    static let workerInfo: MessagePackValue = .map([
        "basedir": .string("/home/bb/worker"), "numcpus": .int(8), "version": .string("4.3.0"),
        "os_pretty_name": .string("Debian GNU/Linux 12 (bookworm)"), "system": .string("posix"),
        "admin": .string("Ops <ops@example.org>\n"), "environ": .map(["HOME": .string("/home/bb")]),
    ])

    static func response(_ sequence: Int64, _ result: MessagePackValue = .nil, exception: Bool = false) -> MessagePackValue {
        var entries: [MessagePackValue.MapEntry] = [
            .init(.string("op"), .string("response")), .init(.string("seq_number"), .int(sequence)),
            .init(.string("result"), result),
        ]
        if exception { entries.append(.init(.string("is_exception"), .bool(true))) }
        return .map(entries)
    }

    static func sent(_ actions: [MsgpackSession.Action]) -> [MessagePackValue] {
        actions.compactMap { if case .send(let m) = $0 { m } else { nil } }
    }

    /// A session brought up to `ready`.
    static func ready() -> MsgpackSession {
        var session = MsgpackSession(now: t0)
        _ = session.start()
        _ = session.received(response(0, workerInfo), now: t0)
        _ = session.received(response(1), now: t0)
        return session
    }

    @Test func bringUpAsksForInfoThenSetsShortBuffering() throws {
        var session = MsgpackSession(now: Self.t0)
        let first = Self.sent(session.start())
        #expect(first == [.map(["op": .string("get_worker_info"), "seq_number": .int(0)])])
        #expect(session.phase == .awaitingInfo)
        #expect(session.startCommand(id: "c", name: "shell", args: .map([])) ==
                [.commandRefused(commandID: "c", reason: "the worker link is not ready")])

        let settings = try #require(Self.sent(session.received(Self.response(0, Self.workerInfo), now: Self.t0)).first)
        #expect(settings["op"] == .string("set_worker_settings"))
        #expect(settings["seq_number"] == .int(1))
        #expect(settings["args"]?["buffer_timeout"]?.finiteDouble == 0.1)
        #expect(settings["args"]?["buffer_size"] == .int(65536))
        #expect(settings["args"]?["newline_re"] != nil)
        #expect(settings["args"]?["max_line_length"] != nil)
        #expect(session.phase == .awaitingSettings)

        let done = session.received(Self.response(1), now: Self.t0)
        #expect(done == [.ready(MsgpackWorkerInfo(basedir: "/home/bb/worker", cpus: 8, version: "4.3.0",
                                                  os: "Debian GNU/Linux 12 (bookworm)", admin: "Ops <ops@example.org>",
                                                  host: nil))])
        #expect(session.phase == .ready)
    }

    @Test func aWorkerWithoutAnAbsoluteBasedirIsClosed() {
        var session = MsgpackSession(now: Self.t0)
        _ = session.start()
        let actions = session.received(Self.response(0, .map(["basedir": .string("C:\\bb")])), now: Self.t0)
        guard case .close? = actions.first else {
            Issue.record("expected a close, got \(actions)")
            return
        }
        #expect(session.phase == .closed)
    }

    @Test func anExceptionDuringBringUpCloses() {
        var session = MsgpackSession(now: Self.t0)
        _ = session.start()
        #expect(session.received(Self.response(0, .string("boom"), exception: true), now: Self.t0) ==
                [.close(reason: "the worker could not say who it is: boom")])
    }

    @Test func workerRequestsAreAllAnsweredAndUpdatesMayPrecedeTheStartAnswer() {
        var session = Self.ready()
        let start = Self.sent(session.startCommand(id: "c1", name: "shell", args: .map([])))
        #expect(start.first?["seq_number"] == .int(2))
        #expect(start.first?["command_id"] == .string("c1"))

        // The worker's own numbering starts at 0 too; it is a separate space.
        let update = session.received(.map([
            "op": .string("update"), "seq_number": .int(0), "command_id": .string("c1"),
            "args": .array([.array([.string("stdout"), .array([.string("hi\n"), .array([.int(2)]), .array([.double(1)])])]),
                            .array([.string("rc"), .int(3)])]),
        ]), now: Self.t0)
        #expect(update == [
            .send(.map(["op": .string("response"), "seq_number": .int(0), "result": .nil])),
            .update(commandID: "c1", [.output(.stdout, "hi\n"), .rc(3)]),
        ])
        #expect(session.received(Self.response(2), now: Self.t0) == [])

        let complete = session.received(.map([
            "op": .string("complete"), "seq_number": .int(1), "command_id": .string("c1"), "args": .nil,
        ]), now: Self.t0)
        #expect(complete == [
            .send(.map(["op": .string("response"), "seq_number": .int(1), "result": .nil])),
            .complete(commandID: "c1", error: nil),
        ])
        #expect(session.running.isEmpty)

        // A late update for a finished command is answered and dropped.
        let late = session.received(.map([
            "op": .string("update"), "seq_number": .int(2), "command_id": .string("c1"), "args": .array([]),
        ]), now: Self.t0)
        #expect(late == [.send(.map(["op": .string("response"), "seq_number": .int(2), "result": .nil]))])
    }

    @Test func unsupportedRequestsAreAnsweredWithAnException() {
        var session = Self.ready()
        let actions = session.received(.map([
            "op": .string("update_upload_file_write"), "seq_number": .int(5), "command_id": .string("x"),
        ]), now: Self.t0)
        #expect(actions == [.send(.map(["op": .string("response"), "seq_number": .int(5),
                                        "result": .string("Minibot does not support update_upload_file_write"),
                                        "is_exception": .bool(true)]))])
    }

    @Test func malformedMessagesCloseOrAreRefused() {
        var session = Self.ready()
        let badUpdate = session.received(.map([
            "op": .string("update"), "seq_number": .int(1), "command_id": .string("c"), "args": .string("nope"),
        ]), now: Self.t0)
        #expect(Self.sent(badUpdate).first?["is_exception"] == .bool(true))
        guard case .close? = session.received(.map(["op": .string("update")]), now: Self.t0).first else {
            Issue.record("a message without seq_number must close the link")
            return
        }
        #expect(session.phase == .closed)
        #expect(session.received(Self.response(9), now: Self.t0) == [])
    }

    @Test func aRefusedStartCommandEndsThatCommand() {
        var session = Self.ready()
        _ = session.startCommand(id: "c1", name: "shell", args: .map([]))
        #expect(session.received(Self.response(2, .string("unrecognized"), exception: true), now: Self.t0) ==
                [.commandRefused(commandID: "c1", reason: "unrecognized")])
        #expect(session.running.isEmpty)
    }

    @Test func keepalivesUntilThreeSilentIntervalsClose() {
        var session = Self.ready()
        let interval = session.configuration.heartbeat
        #expect(Self.sent(session.tick(now: Self.t0 + interval)).first?["op"] == .string("keepalive"))
        #expect(Self.sent(session.tick(now: Self.t0 + interval * 2)).first?["op"] == .string("keepalive"))
        // Any frame counts as a sign of life.
        _ = session.received(Self.response(2), now: Self.t0 + interval * 2)
        #expect(Self.sent(session.tick(now: Self.t0 + interval * 4)).first?["op"] == .string("keepalive"))
        guard case .close? = session.tick(now: Self.t0 + interval * 5).first else {
            Issue.record("three silent intervals must close the link")
            return
        }
        #expect(session.tick(now: Self.t0 + interval * 6) == [])
    }

    @Test func closingHandsBackTheRunningCommands() {
        var session = Self.ready()
        _ = session.startCommand(id: "a", name: "shell", args: .map([]))
        _ = session.startCommand(id: "b", name: "shell", args: .map([]))
        #expect(session.closed() == ["a", "b"])
        #expect(session.interruptCommand(id: "a", why: "x") == [])
    }

    @Test func interruptAndShutdownAreRequests() {
        var session = Self.ready()
        let interrupt = Self.sent(session.interruptCommand(id: "a", why: "stop"))
        #expect(interrupt == [.map(["op": .string("interrupt_command"), "command_id": .string("a"),
                                    "why": .string("stop"), "seq_number": .int(2)])])
        #expect(Self.sent(session.shutdown()) == [.map(["op": .string("shutdown"), "seq_number": .int(3)])])
    }
}
