import Foundation
import MinibotCore
@testable import MinibotMaster
import MinibotStore
import Testing

/// Query values come from clients: every bad one is a BadQuery (a 400), none is ignored.
@Suite struct APIQueryTests {
    @Test("booleans, numbers, results and choices parse or refuse")
    func values() throws {
        let q = APIQuery(["complete": "false", "limit": "5", "results": "failure,2,EXCEPTION", "order": "x"])
        #expect(try q.bool("complete") == false)
        #expect(try q.bool("absent") == nil)
        #expect(try q.integer("limit", in: 1...10, default: 3) == 5)
        #expect(try q.integer("absent", in: 1...10, default: 3) == 3)
        #expect(try q.results("results") == [.failure, .exception])
        #expect(throws: BadQuery.self) { try APIQuery(["complete": "maybe"]).bool("complete") }
        #expect(throws: BadQuery.self) { try APIQuery(["limit": "abc"]).integer("limit", in: 1...10, default: 1) }
        #expect(throws: BadQuery.self) { try APIQuery(["limit": "11"]).integer("limit", in: 1...10, default: 1) }
        #expect(throws: BadQuery.self) { try APIQuery(["results": "GREAT"]).results("results") }
        #expect(throws: BadQuery.self) { try q.choice("order", ["a", "b"], default: "a") }
    }

    @Test("a long bad value is cut short in the message")
    func shortMessages() {
        do {
            _ = try APIQuery(["limit": String(repeating: "9", count: 10_000)]).integer("limit", in: 1...10, default: 1)
            Issue.record("accepted")
        } catch {
            #expect(error.message.count < 200)
        }
    }

    @Test("a build filter is read from the query and asks the store for what it filters")
    func buildFilter() throws {
        let parsed = try BuildFilter(query: APIQuery(["complete": "false", "results": "2", "limit": "2", "offset": "3"]),
                                     builder: "b")
        #expect(parsed.query == BuildQuery(builder: "b", complete: false, results: [.failure], offset: 3, limit: 2))
        #expect(try BuildFilter(query: APIQuery([:])).query == BuildQuery(limit: 100))
        #expect(try BuildFilter(query: APIQuery(["before": "42"])).query == BuildQuery(before: 42, limit: 100))
        for bad in ["0", "-5", "x", "9223372036854775808"] {
            #expect(throws: BadQuery.self) { try BuildFilter(query: APIQuery(["before": bad])) }
        }
        #expect(throws: BadQuery.self) { try BuildFilter(query: APIQuery(["offset": "-1"])) }
        #expect(throws: BadQuery.self) { try BuildFilter(query: APIQuery(["offset": "10001"])) }
        #expect(throws: BadQuery.self) { try BuildFilter(query: APIQuery(["limit": "0"])) }
    }

    @Test("a log window cuts lines across chunk boundaries")
    func logWindow() {
        var w = LogWindow(offset: 1, limit: 2)
        w.feed("a\nb")
        w.feed("b\ncc\nd")
        w.finish()
        #expect(w.content == "bb\ncc\n")
        #expect(w.lineCount == 4)
        var crlf = LogWindow(offset: 0, limit: 10)
        crlf.feed("one\r\ntwo\r\n")
        #expect(crlf.lineCount == 2)
                var all = LogWindow(offset: 0, limit: 10)
        all.feed("x\ny")
        all.finish()
        #expect(all.lines == ["x", "y"])
    }

    @Test func epochSecondsParseOrRefuse() throws {
        #expect(try APIQuery(["since": "1733500000"]).epoch("since") == Date(timeIntervalSince1970: 1_733_500_000))
        #expect(try APIQuery(["since": "1733500000.5"]).epoch("since") == Date(timeIntervalSince1970: 1_733_500_000.5))
        #expect(try APIQuery([:]).epoch("since") == nil)
        for bad in ["yesterday", "-1", "nan", "inf", "1e300", "99999999999", ""] {
            #expect(throws: BadQuery.self, "\(bad)") { try APIQuery(["since": bad]).epoch("since") }
        }
    }
}
