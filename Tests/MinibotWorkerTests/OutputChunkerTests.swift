import Testing
@testable import MinibotWorker

@Suite("OutputChunker")
struct OutputChunkerTests {
    @Test func holdsAPartialLineUntilFlushed() {
        var chunker = OutputChunker(limit: 16)
        chunker.append(Array("one\ntw".utf8))
        #expect(chunker.takeChunks(flushAll: false) == ["one\n"])
        #expect(chunker.pendingByteCount == 2)
        #expect(chunker.takeChunks(flushAll: true) == ["tw"])
        #expect(chunker.pendingByteCount == 0)
    }

    @Test func neverExceedsTheLimitAndPrefersLineEnds() {
        var chunker = OutputChunker(limit: 8)
        chunker.append(Array("abc\ndefghijklmnop\n".utf8))
        let chunks = chunker.takeChunks(flushAll: true)
        #expect(chunks == ["abc\n", "defghijk", "lmnop\n"])
        #expect(chunks.allSatisfy { $0.utf8.count <= 8 })
    }

    @Test func neverSplitsAUTF8Sequence() {
        var chunker = OutputChunker(limit: 5)
        // "aaaa" + "é" (2 bytes) would cross the limit inside the é.
        chunker.append(Array("aaaaéb".utf8))
        let chunks = chunker.takeChunks(flushAll: true)
        #expect(chunks == ["aaaa", "éb"])
    }

    @Test func waitsForTheRestOfASequenceSplitAcrossReads() {
        var chunker = OutputChunker(limit: 64)
        let euro = Array("€".utf8)
        chunker.append([UInt8(ascii: "x")] + euro.prefix(2))
        #expect(chunker.takeChunks(flushAll: true) == ["x"])
        chunker.append(euro.suffix(1))
        #expect(chunker.takeChunks(flushAll: true) == ["€"])
    }
}
