import MinibotCore
@testable import MinibotMaster
import Testing

/// Which pieces of output the master joins into one stored chunk before writing a batch.
@Suite struct StepLogWriterJoinTests {
    @Test func textJoinsWithTextAndZstdWithZstdWithinTheChunkSize() {
        #expect(StepLogWriter.joined(.text("a"), .text("b")) == .text("ab"))
        #expect(StepLogWriter.joined(.compressed([1, 2], size: 10, codec: .zstd), .compressed([3], size: 20, codec: .zstd))
            == .compressed([1, 2, 3], size: 30, codec: .zstd))
        let limit = StepLogWriter.textChunkBytes
        #expect(StepLogWriter.joined(.compressed([1], size: limit, codec: .zstd), .compressed([2], size: 1, codec: .zstd)) == nil,
                "past the chunk size: a new chunk")
        #expect(StepLogWriter.joined(.text(String(repeating: "x", count: limit)), .text("y")) == nil)
    }

    /// zlib streams do not join (a second stream after the first is not read), nor do kinds.
    @Test func zlibAndMixedKindsStayApart() {
        #expect(StepLogWriter.joined(.compressed([1], size: 10, codec: .zlib), .compressed([2], size: 10, codec: .zlib)) == nil)
        #expect(StepLogWriter.joined(.text("a"), .compressed([2], size: 10, codec: .zstd)) == nil)
        #expect(StepLogWriter.joined(.compressed([2], size: 10, codec: .zstd), .text("a")) == nil)
    }
}
