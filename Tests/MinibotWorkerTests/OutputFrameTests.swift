import MinibotCompression
import MinibotCore
import MinibotProtocol
import NIOCore
import Testing

@Suite("Output frames")
struct OutputFrameTests {
    @Test func roundTripsEveryStreamAndUnicode() throws {
        for stream in [LogStream.stdout, .stderr, .header] {
            let output = WorkerMessage.StepOutput(buildID: 1 << 40, step: 7, stream: stream, text: "héllo ✓\nline 2\n")
            let decoded = try #require(OutputFrame.decode(OutputFrame.encode(OutputChunk(output))))
            #expect(decoded == OutputChunk(output))
        }
    }

    @Test func roundTripsCompressedOutput() throws {
        let text = String(repeating: "compiling module ✓ 0123456789\n", count: 2_000)
        let bytes = try #require(LogCompression.compress(text))
        #expect(bytes.count * 10 < text.utf8.count)
        let chunk = OutputChunk(buildID: 9, step: 2, stream: .stderr, payload: .compressed(bytes, size: text.utf8.count))
        let decoded = try #require(OutputFrame.decode(OutputFrame.encode(chunk)))
        #expect(decoded == chunk)
        #expect(try LogCompression.text(of: decoded.payload) == text)
    }

    @Test func roundTripsZstdOutput() throws {
        let text = String(repeating: "compiling module ✓ 0123456789\n", count: 2_000)
        let bytes = try #require(LogCompression.compress(text, codec: .zstd))
        #expect(bytes.count * 10 < text.utf8.count)
        let chunk = OutputChunk(buildID: 9, step: 2, stream: .stdout, payload: .compressed(bytes, size: text.utf8.count, codec: .zstd))
        let frame = OutputFrame.encode(chunk)
        #expect(frame.getInteger(at: 0, as: UInt8.self) == UInt8(ascii: "S"))
        let decoded = try #require(OutputFrame.decode(frame))
        #expect(decoded == chunk)
        #expect(try LogCompression.text(of: decoded.payload) == text)
    }

    @Test func rejectsShortOrForeignFrames() {
        #expect(OutputFrame.decode(ByteBuffer(bytes: [0x4F, 0, 1])) == nil)
        #expect(OutputFrame.decode(ByteBuffer(bytes: Array(repeating: 0x41, count: 20))) == nil)
        var unknownStream = OutputFrame.encode(OutputChunk(buildID: 1, step: 0, stream: .stdout, payload: .text("x")))
        unknownStream.setInteger(UInt8(ascii: "z"), at: 13)
        #expect(OutputFrame.decode(unknownStream) == nil)
    }

    @Test func rejectsCompressedFramesThatClaimTooMuchOrCarryNothing() {
        let tooBig = OutputChunk(buildID: 1, step: 0, stream: .stdout,
                                 payload: .compressed([1, 2, 3], size: Int(WorkerWire.maxOutputBytes) + 1))
        #expect(OutputFrame.decode(OutputFrame.encode(tooBig)) == nil)
        let empty = OutputChunk(buildID: 1, step: 0, stream: .stdout, payload: .compressed([], size: 10))
        #expect(OutputFrame.decode(OutputFrame.encode(empty)) == nil)
    }

    /// The master joins a worker's zstd chunks back to back (StepLogWriter): one chunk.
    @Test func zstdFramesBackToBackReadAsOneChunk() throws {
        let first = String(repeating: "first ✓\n", count: 300), second = String(repeating: "second\n", count: 200)
        let a = try #require(LogCompression.compress(first, codec: .zstd))
        let b = try #require(LogCompression.compress(second, codec: .zstd))
        let joined = LogPayload.compressed(a + b, size: first.utf8.count + second.utf8.count, codec: .zstd)
        #expect(try LogCompression.text(of: joined) == first + second)
    }

    @Test func damagedOrOverclaimingZstdDataIsAnErrorNotAShortLogOrAnAllocation() throws {
        let text = String(repeating: "abc\n", count: 1_000)
        var bytes = try #require(LogCompression.compress(text, codec: .zstd))
        let size = text.utf8.count
        #expect(throws: LogCompressionError.self) {
            try LogCompression.text(of: .compressed(Array(bytes.prefix(bytes.count / 2)), size: size, codec: .zstd))
        }
        #expect(throws: LogCompressionError.self, "holds less than it claims") {
            try LogCompression.text(of: .compressed(bytes, size: size + 1, codec: .zstd))
        }
        #expect(throws: LogCompressionError.self, "holds more than it claims: never written past its size") {
            try LogCompression.text(of: .compressed(bytes, size: size - 1, codec: .zstd))
        }
        #expect(throws: LogCompressionError.self, "a claim past the limit is refused before allocating") {
            try LogCompression.text(of: .compressed(bytes, size: Int.max, codec: .zstd))
        }
        #expect(throws: LogCompressionError.self) {
            try LogCompression.text(of: .compressed(bytes, size: -1, codec: .zlib))
        }
        bytes[bytes.count / 2] ^= 0xFF
        #expect(throws: LogCompressionError.self) {
            try LogCompression.text(of: .compressed(bytes, size: size, codec: .zstd))
        }
    }

    @Test func damagedCompressedDataIsAnErrorNotAShortLog() throws {
        let text = String(repeating: "abc\n", count: 1_000)
        var bytes = try #require(LogCompression.compress(text))
        bytes[bytes.count / 2] ^= 0xFF
        #expect(throws: LogCompressionError.self) {
            try LogCompression.text(of: .compressed(bytes, size: text.utf8.count))
        }
        #expect(throws: LogCompressionError.self) {
            try LogCompression.text(of: .compressed(Array(bytes.prefix(4)), size: text.utf8.count))
        }
    }
}

@Suite("Adaptive compression of step output")
struct AdaptiveCompressorTests {
    @Test func compressesTextAndSendsSmallChunksAsTheyAre() {
        var compressor = AdaptiveCompressor()
        #expect(compressor.payload(for: "short line\n") == .text("short line\n"))
        let log = String(repeating: "warning: unused variable 'x'\n", count: 100)
        guard case .compressed(_, let size, .zlib) = compressor.payload(for: log) else {
            Issue.record("a repetitive log chunk was not compressed")
            return
        }
        #expect(size == log.utf8.count)
    }

    /// Base64 of random bytes: zlib would have to halve it and cannot; zstd saves a quarter.
    @Test func zstdCompressesDenseTextThatZlibSendsAsText() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let dense = (0..<64).map { _ in String((0..<100).map { _ in alphabet[Int.random(in: 0..<64, using: &generator)] }) + "\n" }.joined()
        var zlib = AdaptiveCompressor(codec: .zlib)
        #expect(zlib.payload(for: dense) == .text(dense))
        var zstd = AdaptiveCompressor(codec: .zstd)
        let payload = zstd.payload(for: dense)
        guard case .compressed(let bytes, let size, .zstd) = payload else {
            Issue.record("zstd did not compress base64")
            return
        }
        #expect(size == dense.utf8.count && bytes.count < size * 8 / 10)
        #expect(try LogCompression.text(of: payload) == dense)
    }

    @Test func incompressibleOutputGoesAsTextAndIsTriedAgainLater() {
        var generator = SystemRandomNumberGenerator()
        // Random printable bytes: zlib saves less than a fifth of them.
        let noise = String((0..<8_192).map { _ in Character(UnicodeScalar(UInt8.random(in: 33...126, using: &generator))) })
        var compressor = AdaptiveCompressor()
        #expect(compressor.payload(for: noise) == .text(noise))
        let log = String(repeating: "ok\n", count: 1_000)
        for _ in 0..<AdaptiveCompressor.skipAfterMiss {
            #expect(compressor.payload(for: log) == .text(log))
        }
        guard case .compressed = compressor.payload(for: log) else {
            Issue.record("compression was not tried again after the skipped chunks")
            return
        }
    }
}
