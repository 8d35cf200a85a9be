import MinibotConfig
import MinibotCore
import Testing

/// Issue 15: numeric `builderid`/`workerid` from the names, and a configuration whose two
/// names would share one.
@Suite struct StableIDTests {
    @Test func idsAreStablePositiveAndSmall() {
        #expect(StableID.of("linux") == StableID.of("linux"))
        #expect(StableID.of("linux") != StableID.of("linux2"))
        for name in ["", "a", "ünïcode", String(repeating: "x", count: 10_000)] {
            #expect((1...Int64(Int32.max)).contains(StableID.of(name)))
        }
        #expect(StableID.name(forID: String(StableID.of("b")), among: ["a", "b"]) == "b")
        #expect(StableID.name(forID: "b", among: ["a", "b"]) == nil)
        #expect(StableID.name(forID: "99999999999999999999", among: ["a"]) == nil)
    }

    @Test func twoBuildersOnOneIdAreRefused() throws {
        var seen: [Int64: String] = [:]
        var pair: (String, String)?
        for i in 0..<400_000 {
            let name = "b\(i)"
            let id = StableID.of(name)
            if let other = seen[id] { pair = (other, name); break }
            seen[id] = name
        }
        let (a, b) = try #require(pair, "no two names of 400,000 share an id (fine, but then this test checks nothing)")
        let text = """
            workers:
              - {name: w1, password: p1}
            builders:
              - {name: \(a), workers: [w1], steps: [{shell: {command: "true"}}]}
              - {name: \(b), workers: [w1], steps: [{shell: {command: "true"}}]}
            """
        #expect(problems(text).contains { $0.contains("builders '\(a)' and '\(b)' get the same numeric id") }, "\(problems(text))")
    }
}
