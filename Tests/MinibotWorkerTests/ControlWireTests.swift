import Foundation
import MinibotCore
import Testing
@testable import MinibotWorker

@Suite("Worker control socket values")
struct ControlWireTests {
    @Test func requestsBecomeAvailabilityPluginMessages() {
        let off = ControlRequest(action: .set, state: "unavailable", reason: "disk swap", duration: "2h", user: "anna@box")
        #expect(off.pluginPayload == .object(["type": .string("set_flag"), "state": .string("unavailable"),
                                              "reason": .string("disk swap"), "for": .string("2h"),
                                              "by": .string("anna@box (worker)")]))
        let on = ControlRequest(action: .clear, user: "anna@box")
        #expect(on.pluginPayload == .object(["type": .string("clear_flag"), "by": .string("anna@box (worker)")]))
        #expect(ControlRequest(action: .show, user: "x").pluginPayload == .object(["type": .string("get_availability")]))
    }

    @Test func requestsAndRepliesRoundTrip() throws {
        let request = ControlRequest(action: .set, state: "advisory", duration: "30m", user: "anna@box")
        let encoded = try JSONEncoder().encode(request)
        #expect(String(decoding: encoded, as: UTF8.self).contains(#""for":"30m""#))
        #expect(try JSONDecoder().decode(ControlRequest.self, from: encoded) == request)
        let reply = ControlReply(isOK: false, error: "nope")
        #expect(try JSONDecoder().decode(ControlReply.self, from: JSONEncoder().encode(reply)) == reply)
    }

    @Test func availabilityIsDescribedOnOneLine() {
        let availability: JSONValue = .object([
            "state": .string("unavailable"), "reason": .string("disk swap"), "set_by": .string("anna@box (worker)"),
            "until_text": .string("until 17:00"), "load": .number(0.5), "connected": .bool(true),
        ])
        #expect(ControlClient.describe(availability, worker: "w1")
                == "w1: unavailable: disk swap (set by anna@box (worker), until 17:00, load 0.50)")
        #expect(ControlClient.describe(.object(["state": .string("available"), "reason": .null, "set_by": .null]), worker: "w1")
                == "w1: available")
        #expect(ControlWire.socketPath(basedir: "/srv/worker") == "/srv/worker/minibot-worker.sock")
    }
}
