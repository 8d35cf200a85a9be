import MinibotConfig
import MinibotCore
import Testing

@Suite struct ConfigReaderTests {
    func node(_ yaml: String) throws -> ConfigNode {
        try YAMLDocument(text: yaml, path: "t.cfg").root
    }

    @Test(arguments: [("90s", 90.0), ("5m", 300), ("1h", 3600), ("1h30m", 5400), ("250ms", 0.25), ("0s", 0), ("45", 45)])
    func durations(text: String, seconds: Double) throws {
        let reader = ConfigReader()
        #expect(reader.duration(try node("d: \(text)")["d"]!, "'d'") == seconds)
        #expect(reader.errors.isEmpty)
    }

    @Test(arguments: ["5x", "-3s", "soon", "1.5.2m"])
    func badDurationsSayWhatIsValid(text: String) throws {
        let reader = ConfigReader()
        #expect(reader.duration(try node("d: \(text)")["d"]!, "'d'") == nil)
        let message = try #require(reader.errors.first?.description)
        #expect(message.hasPrefix("t.cfg:1:4: '\(text)' is not a duration for 'd'"))
        #expect(message.contains("90s, 5m, 1h"))
    }

    @Test func pluginStyleMappingReadsValuesAndReportsProblems() throws {
        let root = try node("""
            port: 70000
            bnd: 0.0.0.0
            mode: advisroy
            lead: 15m
            verbose: "true"
            windows: {when: x}
            """)
        let reader = ConfigReader()
        let settings = reader.mapping(root, "the plugin section",
                                      keys: ["port", "bind", "mode", "lead", "verbose", "windows", "name"]) { m in
            (port: m.int("port", default: 8010, range: 1...65535),
             bind: m.string("bind", default: "127.0.0.1"),
             mode: m.word("mode", allowed: ["advisory", "unavailable"]),
             lead: m.duration("lead", default: 0),
             verbose: m.bool("verbose", default: false),
             windows: m.list("windows") { _ in 1 },
             name: m.string("name", required: true))
        }
        #expect(settings?.port == 8010 && settings?.bind == "127.0.0.1" && settings?.lead == 900)
        let found = reader.errors.map(\.description)
        #expect(found == [
            "t.cfg:2:1: unknown key 'bnd' in the plugin section; did you mean 'bind'?",
            "t.cfg:1:7: 'port' must be between 1 and 65535, found 70000",
            "t.cfg:3:7: 'advisroy' is not a valid 'mode': use one of advisory, unavailable; did you mean 'advisory'?",
            "t.cfg:5:10: expected true or false for 'verbose', found the quoted string \"true\"; remove the quotes",
            "t.cfg:6:10: expected a list for 'windows', found a mapping",
            "t.cfg:1:1: missing 'name' in the plugin section; it is required",
        ])
    }

    @Test func unknownKeyFarFromAnyListsTheAllowedOnes() throws {
        let reader = ConfigReader()
        _ = reader.mapping(try node("zzz: 1"), "www", keys: ["port", "bind"]) { _ in 0 }
        #expect(reader.errors.map(\.message) == ["unknown key 'zzz' in www; allowed keys: port, bind"])
    }

    @Test func dictionaryAndStringMapAndStringOrList() throws {
        let root = try node("""
            env: {A: 1, B: two}
            branches: main
            tags: [a, b]
            counts: {w1: 2, w2: x}
            """)
        let reader = ConfigReader()
        let values = reader.mapping(root, "test", keys: nil) { m in
            (m.stringMap("env"), m.stringOrList("branches"), m.stringOrList("tags"),
             m.dictionary("counts") { reader.int($0.value, "'\($0.key)'", range: 1...Int.max) })
        }
        #expect(values?.0 == ["A": "1", "B": "two"])
        #expect(values?.1 == ["main"])
        #expect(values?.2 == ["a", "b"])
        #expect(values?.3 == ["w1": 2])
        #expect(reader.errors.map(\.description) == ["t.cfg:4:21: expected an integer for 'w2', found 'x'"])
    }

    @Test func suggestions() {
        #expect(Suggestions.distance("tree_stabel_timer", "tree_stable_timer") == 1)
        #expect(Suggestions.closest(to: "tree_stabel_timer", among: ["name", "tree_stable_timer"]) == "tree_stable_timer")
        #expect(Suggestions.closest(to: "w3", among: ["w1", "workstation"]) == "w1")
        #expect(Suggestions.closest(to: "banana", among: ["w1", "workstation"]) == nil)
        #expect(Suggestions.hint(for: "x", among: [], label: "known workers", whenEmpty: "no workers are defined")
                == "no workers are defined")
    }

    @Test func finishThrowsEveryError() throws {
        let reader = ConfigReader()
        reader.error("one", at: SourceLocation(file: "f", line: 2, column: 1))
        reader.error("two", at: SourceLocation(file: "f", line: 1, column: 1))
        #expect(throws: ConfigErrors.self) { try reader.finish(1, root: ConfigNode(.null, at: .init(file: "f", line: 1, column: 1))) }
        let clean = ConfigReader()
        #expect(try clean.finish(7, root: ConfigNode(.null, at: .init(file: "f", line: 1, column: 1))) == 7)
    }
}
