import Foundation
import MinibotCore
@testable import MinibotMaster
import MinibotProtocol
import Testing

/// Credentials, workdirs, command arguments and updates of the stock-worker link.
struct MsgpackWireTests {
    @Test func basicCredentials() {
        let header = "Basic " + Data("w1:pa:ss".utf8).base64EncodedString()
        #expect(MsgpackWire.basicCredentials(header).map { [$0.name, $0.password] } == ["w1", "pa:ss"])
        #expect(MsgpackWire.basicCredentials("basic " + Data("w1:".utf8).base64EncodedString())?.password == "")
        #expect(MsgpackWire.basicCredentials(nil) == nil)
        #expect(MsgpackWire.basicCredentials("Bearer abc") == nil)
        #expect(MsgpackWire.basicCredentials("Basic !!!") == nil)
        #expect(MsgpackWire.basicCredentials("Basic " + Data("nocolon".utf8).base64EncodedString()) == nil)
        #expect(MsgpackWire.basicCredentials("Basic " + Data(":p".utf8).base64EncodedString()) == nil)
        #expect(MsgpackWire.basicCredentials("Basic " + String(repeating: "A", count: 10_000)) == nil)
    }

    @Test func workdirsAreRootedInTheBasedir() {
        #expect(MsgpackWire.workdir(basedir: "/w/", relative: "b/build") == "/w/b/build")
        #expect(MsgpackWire.workdir(basedir: "/w", relative: "b//src/") == "/w/b/src")
        #expect(MsgpackWire.workdir(basedir: "/w", relative: "/etc") == nil)
        #expect(MsgpackWire.workdir(basedir: "/w", relative: "b/../..") == nil)
    }

    @Test func shellArgsCarryWhatTheStockShellCommandReads() {
        let args = MsgpackWire.shellArgs(command: .argv(["echo", "hi"]), workdir: "/w/b/build", env: ["B": "2", "A": "1"],
                                         maxTime: 30)
        #expect(args["workdir"] == .string("/w/b/build"))
        #expect(args["command"] == .array([.string("echo"), .string("hi")]))
        #expect(args["env"] == .map(["A": .string("1"), "B": .string("2")]))
        #expect(args["maxTime"] == .int(30))
        #expect(args["logEnviron"] == .bool(false))
        #expect(args["timeout"] == nil, "Buildbot's timeout is silence, not Minibot's total time")
        let script = MsgpackWire.shellArgs(command: .script("echo $HOME"), workdir: "/w", env: [:], maxTime: nil)
        #expect(script["command"] == .string("echo $HOME"))
        #expect(script["maxTime"] == nil)
    }

    @Test func updatesAreCheckedPairs() {
        let line: MessagePackValue = .array([.string("a\nb\n"), .array([.int(1), .int(3)]), .array([.double(1), .double(1)])])
        #expect(MsgpackUpdate.parse(.array([
            .array([.string("stderr"), line]), .array([.string("header"), .string("h\n")]),
            .array([.string("rc"), .int(-1)]), .array([.string("elapsed"), .double(0.5)]),
            .array([.string("failure_reason"), .string("timeout")]), .array([.string("log"), .nil]),
        ])) == [.output(.stderr, "a\nb\n"), .output(.header, "h\n"), .rc(-1), .elapsed(0.5), .failureReason("timeout"),
                .ignored("log")])
        #expect(MsgpackUpdate.parse(.array([.array([.string("rc"), .int(1 << 40)])])) == nil)
        #expect(MsgpackUpdate.parse(.array([.array([.string("stdout"), .int(1)])])) == nil)
        #expect(MsgpackUpdate.parse(.array([.string("rc")])) == nil)
        #expect(MsgpackUpdate.parse(.map([])) == nil)
        #expect(MsgpackUpdate.parse(nil) == nil)
    }
}
