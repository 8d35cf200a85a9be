import MinibotConfig
import MinibotCore
import Testing

/// Issue 13: `protocol:` of a `workers:` entry: `native`, `msgpack`, or left out for either.
struct WorkerProtocolKeyTests {
    static func config(_ workers: String) -> String {
        """
        workers:
        \(workers)
        builders:
          - name: test
            workers: [w1]
            steps:
              - shell: {command: [make, test]}
        """
    }

    @Test func eitherProtocolWhenLeftOut() throws {
        #expect(try load(Self.config("  - {name: w1, password: p1}")).workers[0].wireProtocol == nil)
    }

    @Test(arguments: [("msgpack", WorkerProtocol.msgpack), ("native", .native)])
    func aNamedProtocolIsKept(_ text: String, _ expected: WorkerProtocol) throws {
        let config = try load(Self.config("  - {name: w1, password: p1, protocol: \(text)}"))
        #expect(config.workers[0].wireProtocol == expected)
        #expect(config.workers[0] == WorkerSpec(name: "w1", password: "p1", wireProtocol: expected))
    }

    @Test func aMisspeltProtocolIsLocatedWithASuggestion() {
        #expect(problems(Self.config("  - {name: w1, password: p1, protocol: msgpak}")) == [
            "2:40: 'msgpak' is not a valid 'protocol': use one of native, msgpack; did you mean 'msgpack'?",
        ])
        #expect(problems(Self.config("  - {name: w1, password: p1, protocl: msgpack}")).first?
            .contains("did you mean 'protocol'") == true)
    }
}
