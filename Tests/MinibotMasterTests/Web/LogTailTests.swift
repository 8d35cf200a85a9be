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
        #expect(tail.lines == [.init(number: 2, html: "<span class=\"f1\">two</span>"),
                               .init(number: 3, html: "<span class=\"f1\">three</span>")])
    }
}
