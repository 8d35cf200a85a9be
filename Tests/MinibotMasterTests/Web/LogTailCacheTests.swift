@testable import MinibotMaster
import Testing

/// Issue 15: the build page's cache of finished logs' tails stays bounded.
@Suite struct LogTailCacheTests {
    func tail(_ text: String, keep: Int = 3) -> LogTail {
        var t = LogTail(keep: keep)
        t.feed(text)
        t.finish()
        return t
    }

    @Test func keepsTheMostRecentlyShownAndNothingTooBig() {
        let cache = LogTailCache()
        for build in 1...Int64(LogTailCache.capacity) { cache.keep(tail("a\nb\n"), build: build, step: 0) }
        // Showing build 1 again makes it the most recent: build 2 goes first.
        #expect(cache.tail(build: 1, step: 0)?.total == 2)
        cache.keep(tail("c\n"), build: 999, step: 0)
        #expect(cache.tail(build: 2, step: 0) == nil)
        #expect(cache.tail(build: 1, step: 0) != nil && cache.tail(build: 999, step: 0)?.total == 1)
        let huge = tail(String(repeating: "x", count: LogTailCache.maxEntryBytes + 1) + "\n", keep: 1)
        #expect(huge.keptBytes == LogTailCache.maxEntryBytes + 1)
        cache.keep(huge, build: 1000, step: 0)
        #expect(cache.tail(build: 1000, step: 0) == nil)
    }

    @Test func keptBytesFollowTheKeptLines() {
        var t = tail("1234\n12\n1\n123\n", keep: 2)
        #expect(t.total == 4 && t.keptBytes == 4)
        let before = t.rendered()
        t.freeze()
        #expect(t.rendered() == before && t.isCut && t.total == 4)
        #expect(t.keptBytes == before.reduce(0) { $0 + $1.html.utf8.count })
    }
}
