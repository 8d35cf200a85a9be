/// Cuts one output stream's bytes into text chunks for `output` messages.
///
/// A pure value fed with whatever each pipe read returned. Chunks never exceed `limit`
/// bytes, end at a line boundary when one is in reach, and never split a UTF-8 sequence.
/// What is held back is at most one partial line below `limit`, so memory stays bounded
/// however much a step prints.
struct OutputChunker: Sendable {
    let limit: Int
    private var pending: [UInt8] = []

    init(limit: Int) {
        precondition(limit >= 4, "a chunk must hold any UTF-8 sequence")
        self.limit = limit
    }

    var pendingByteCount: Int { pending.count }

    /// Adds bytes read from the pipe.
    mutating func append<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        pending.append(contentsOf: bytes)
    }

    /// Chunks ready to send. With `flushAll` (the pipe went quiet, or the stream ended) the
    /// partial last line goes out too; otherwise it waits for the rest of its line. Bytes of
    /// an incomplete trailing UTF-8 sequence wait unless `atEnd`.
    mutating func takeChunks(flushAll: Bool, atEnd: Bool = false) -> [String] {
        var chunks: [String] = []
        var start = 0
        while pending.count - start >= limit {
            let window = start..<(start + limit)
            let cut: Int
            if let newline = pending[window].lastIndex(of: UInt8(ascii: "\n")) {
                cut = newline + 1
            } else {
                cut = Self.utf8Boundary(in: pending, before: start + limit, notBefore: start)
            }
            chunks.append(String(decoding: pending[start..<cut], as: UTF8.self))
            start = cut
        }
        var end = start
        if flushAll || atEnd {
            end = atEnd ? pending.count : Self.utf8Boundary(in: pending, before: pending.count, notBefore: start)
        } else if let newline = pending[start...].lastIndex(of: UInt8(ascii: "\n")) {
            end = newline + 1
        }
        if end > start {
            chunks.append(String(decoding: pending[start..<end], as: UTF8.self))
        }
        pending.removeFirst(end)
        return chunks
    }

    /// The largest index `<= end` (and `> notBefore` when possible) that does not fall inside
    /// a UTF-8 sequence.
    private static func utf8Boundary(in bytes: [UInt8], before end: Int, notBefore floor: Int) -> Int {
        var i = end
        // Step back over continuation bytes (10xxxxxx) to the start of the sequence that
        // straddles `end`, then keep it whole only if it is complete.
        var back = 0
        while i > floor, back < 4, (bytes[i - 1] & 0xC0) == 0x80 {
            i -= 1
            back += 1
        }
        guard i > floor else { return end }
        let lead = bytes[i - 1]
        let length: Int
        switch lead {
        case 0x00..<0x80: return end  // ASCII just before: `end` was a boundary already (back == 0)
        case 0xC0..<0xE0: length = 2
        case 0xE0..<0xF0: length = 3
        case 0xF0..<0xF8: length = 4
        default: return end  // invalid lead byte: decoding replaces it, any cut is fine
        }
        let sequenceStart = i - 1
        return sequenceStart + length <= end ? end : (sequenceStart > floor ? sequenceStart : end)
    }
}
