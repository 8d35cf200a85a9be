import MinibotConfig
import MinibotCore
import Testing

@Suite struct YAMLDocumentTests {
    @Test func everyNodeAndKeyHasItsLineAndColumn() throws {
        let document = try YAMLDocument(text: """
            title: demo
            www: {port: 8010, bind: "127.0.0.1"}
            workers:
              - name: w1
            empty:
            """, path: "m.cfg")
        let root = document.root
        #expect(root.location == SourceLocation(file: "m.cfg", line: 1, column: 1))
        let www = try #require(root.entries?.first { $0.key == "www" })
        #expect(www.keyLocation.line == 2 && www.keyLocation.column == 1)
        #expect(www.value.location.column == 6)                    // the `{`
        let bind = try #require(www.value.entries?.last)
        #expect(bind.keyLocation.column == 19)
        #expect(bind.value.location.column == 25)
        if case .scalar(let text, let isQuoted) = bind.value.value {
            #expect(text == "127.0.0.1" && isQuoted)
        } else {
            Issue.record("bind is not a scalar")
        }
        let worker = try #require(root["workers"]?.value)
        guard case .sequence(let items) = worker else { Issue.record("workers is not a list"); return }
        #expect(items[0].location.line == 4 && items[0].location.column == 5)   // the mapping starts at `name`
        #expect(items[0].entries?.first?.keyLocation == SourceLocation(file: "m.cfg", line: 4, column: 5))
        #expect(root["empty"]?.isNull == true)
        #expect(document.errors.isEmpty)
    }

    @Test func emptyFileIsNull() throws {
        #expect(try YAMLDocument(text: "# nothing\n", path: "m.cfg").root.isNull)
    }

    @Test func syntaxErrorHasTheLineAndColumn() {
        #expect {
            _ = try YAMLDocument(text: "title: demo\nwww: {port: 8010\nworkers: []\n", path: "m.cfg")
        } throws: { error in
            let e = (error as? ConfigErrors)?.errors.first
            return e?.location.file == "m.cfg" && e?.location.line == 3 && e?.message.hasPrefix("YAML syntax error") == true
        }
    }

    @Test func tabIndentationGetsAHint() {
        #expect {
            _ = try YAMLDocument(text: "workers:\n\t- name: w1\n", path: "m.cfg")
        } throws: { error in
            let e = (error as? ConfigErrors)?.errors.first
            return e?.location.line == 2 && e?.message.contains("tabs") == true
        }
    }

    @Test func duplicateKeysAreReportedAtEachRepeat() throws {
        let document = try YAMLDocument(text: """
            title: one
            db: a.sqlite
            title: two
            www: {port: 1, port: 2, bind: x, "bind": y}
            title: three
            """, path: "m.cfg")
        let found = document.errors.map { "\($0.location.line):\($0.location.column): \($0.message)" }
        #expect(found.count == 4)
        #expect(found.contains { $0.hasPrefix("3:1: duplicate key 'title'; it is already set at line 1, column 1") })
        #expect(found.contains { $0.hasPrefix("5:1: duplicate key 'title'; it is already set at line 1, column 1") })
        #expect(found.contains { $0.hasPrefix("4:16: duplicate key 'port'; it is already set at line 4, column 7") })
        #expect(found.contains { $0.hasPrefix("4:34: duplicate key 'bind'") })
        // The first occurrence wins, with its original spelling.
        #expect(document.root["title"]?.scalar == "one")
        #expect(document.root["www"]?.entries?.map(\.key) == ["port", "bind"])
    }

    @Test func duplicateKeysComeWithTheOtherErrors() {
        let found = problems("""
            workers:
              - {name: w1, password: p1, password: p2}
            titel: x
            """)
        #expect(found.count == 2)
        #expect(found[0].hasPrefix("2:30: duplicate key 'password'"))
        #expect(found[1].hasPrefix("3:1: unknown key 'titel'"))
    }
}
