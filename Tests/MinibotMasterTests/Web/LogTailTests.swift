@testable import MinibotMaster
import Testing

@Suite struct LogTailTests {
    @Test("keeps the last lines, numbered from the log's start, colours from before the cut")
    func keepsTail() {
        var tail = LogTail(keep: 2)
        tail.feed("\u{1B}[31mone\ntwo\nthr")
        tail.feed("ee\n")
        tail.finish()
        #expect(tail.total == 3)
        #expect(tail.isCut)
        #expect(tail.rendered() == [.init(number: 2, html: "<span class=\"f1\">two</span>"),
                               .init(number: 3, html: "<span class=\"f1\">three</span>")])
    }

    @Test("a line cut by a chunk boundary, and a style set on a dropped line, are kept")
    func boundaries() {
        var tail = LogTail(keep: 1)
        tail.feed("a\u{1B}[1")
        tail.feed("mb\nc")
        tail.feed("d\r\n")
        tail.finish()
        #expect(tail.total == 2)
        #expect(tail.rendered() == [.init(number: 2, html: "<span class=\"bold\">cd</span>")])
    }
}
