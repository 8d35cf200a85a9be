import Foundation
import MinibotCore
import MinibotProtocol
@testable import MinibotWorker
import Testing

/// The worker's side of one connection, transition by transition, without a socket.
@Suite struct SessionStateMachineTests {
    let start = MasterMessage.StartStep(buildID: 1, step: 0, builder: "b", name: "test", workdir: "b/build",
                                        action: .shell(.argv(["true"])), env: [:], timeout: nil, revision: nil,
                                        branch: nil)

    func welcomed() -> SessionStateMachine {
        var s = SessionStateMachine(handshakeTimeoutText: "10 s")
        _ = s.handle(.received(.welcome(heartbeat: 5)))
        return s
    }

    @Test func welcomeStartsTheSession() {
        var s = SessionStateMachine(handshakeTimeoutText: "10 s")
        #expect(s.phase == .awaitingWelcome)
        #expect(s.handle(.received(.ping)) == [.sendPong])
        #expect(s.handle(.received(.welcome(heartbeat: 5))) == [.welcomed(heartbeat: 5)])
        #expect(s.phase == .serving)
        #expect(s.handle(.handshakeTimedOut) == [], "the handshake timer is moot once welcomed")
    }

    @Test func outputIsCompressedInTheFirstCodecTheWelcomeOffersThatTheWorkerKnows() {
        var old = SessionStateMachine(handshakeTimeoutText: "10 s")
        _ = old.handle(.received(.welcome(heartbeat: 5)))
        #expect(old.outputCodec == .zlib, "a master that offers nothing reads zlib")
        var new = SessionStateMachine(handshakeTimeoutText: "10 s")
        _ = new.handle(.received(.welcome(heartbeat: 5, outputCodecs: ["brotli-9000", "zstd"])))
        #expect(new.outputCodec == .zstd, "an unknown name is skipped")
    }

    @Test func aWelcomeWithoutCodecsDecodesAsAnOlderMasterSendsIt() throws {
        let old = try WorkerWire.decoder().decode(MasterMessage.self, from: Data(#"{"welcome":{"heartbeat":5}}"#.utf8))
        #expect(old == .welcome(heartbeat: 5, outputCodecs: nil))
        let new = try WorkerWire.encoder().encode(MasterMessage.welcome(heartbeat: 5, outputCodecs: ["zstd"]))
        #expect(try WorkerWire.decoder().decode(MasterMessage.self, from: new) == .welcome(heartbeat: 5, outputCodecs: ["zstd"]))
    }

    @Test func beforeWelcomeOnlyRefusedAndPingAreAllowed() {
        var refused = SessionStateMachine(handshakeTimeoutText: "10 s")
        #expect(refused.handle(.received(.refused(reason: "wrong password"))) == [.end(.refused("wrong password"))])
        var early = SessionStateMachine(handshakeTimeoutText: "10 s")
        #expect(early.handle(.received(.startStep(start)))
            == [.end(.lost(welcomed: false, "the master sent startStep before welcome"))])
        var slow = SessionStateMachine(handshakeTimeoutText: "10 s")
        #expect(slow.handle(.handshakeTimedOut) == [.end(.lost(welcomed: false, "no welcome within 10 s"))])
        #expect(slow.handle(.received(.welcome(heartbeat: 5))) == [], "an ended session takes nothing")
    }

    @Test func stepsRunAndMessagesAreDelivered() {
        var s = welcomed()
        #expect(s.handle(.received(.startStep(start))) == [.runStep(start)])
        let interrupt = MasterMessage.interrupt(buildID: 1, step: 0, reason: "stop")
        #expect(s.handle(.received(interrupt)) == [.deliver(interrupt)])
        let fetch = MasterMessage.fetchSamples(FetchSamples(id: 1, since: 0, until: 10))
        #expect(s.handle(.received(fetch)) == [.deliver(fetch)])
        #expect(s.handle(.received(.ping)) == [.sendPong])
        #expect(s.handle(.received(.welcome(heartbeat: 5))) == [.log(.debug, "ignoring welcome on an established link")])
    }

    @Test func threeSilentHeartbeatsEndTheLinkAndAnyMessageResetsThem() {
        var s = welcomed()
        for _ in 0..<3 { #expect(s.handle(.heartbeatDue) == [.sendPing]) }
        #expect(s.missedHeartbeats == 3)
        _ = s.handle(.received(.interrupt(buildID: 9, step: 0, reason: "x")))
        #expect(s.missedHeartbeats == 0, "any message proves the master alive")
        for _ in 0..<3 { _ = s.handle(.heartbeatDue) }
        #expect(s.handle(.heartbeatDue) == [.end(.lost(welcomed: true, "no answer to 3 pings"))])
    }

    @Test func aGracefulShutdownDrainsAndRefusesNewSteps() {
        var s = welcomed()
        #expect(s.handle(.received(.shutdown(graceful: true)))
            == [.log(.info, "master asked for a graceful shutdown: finishing running steps first"), .drain])
        #expect(s.handle(.received(.shutdown(graceful: true))) == [], "drains once")
        #expect(s.handle(.received(.startStep(start))) == [.refuseStep(start)])
        #expect(s.handle(.drained) == [.end(.shutdown)])
    }

    @Test func aHangUpWhileDrainingIsTheShutdownNotALostLink() {
        var s = welcomed()
        _ = s.handle(.received(.shutdown(graceful: true)))
        #expect(s.handle(.closed("the master closed the connection")) == [.end(.shutdown)])
        var t = welcomed()
        #expect(t.handle(.closed("gone")) == [.end(.lost(welcomed: true, "gone"))])
    }

    @Test func anImmediateShutdownEndsAtOnce() {
        var s = welcomed()
        #expect(s.handle(.received(.shutdown(graceful: false))).last == .end(.shutdown))
    }

    @Test func anUndecodableFrameEndsTheLink() {
        var s = welcomed()
        #expect(s.handle(.undecodable("binary frame"))
            == [.log(.error, "closing the link: binary frame"), .end(.lost(welcomed: true, "binary frame"))])
        var t = SessionStateMachine(handshakeTimeoutText: "1 s")
        #expect(t.handle(.undecodable("junk")).last == .end(.lost(welcomed: false, "junk")))
    }
}
