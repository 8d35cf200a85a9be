import MinibotCore

/// How a store keeps a log chunk, the one rule both stores write and read by: a text chunk
/// has no size; a compressed one has the size it inflates to and a format number
/// (``LogCodec/format``), where no number is zlib (chunks stored before numbers existed).
public enum StoredLogFormat {
    /// The format number to store with `payload`; nil for text.
    public static func format(of payload: LogPayload) -> Int? {
        guard case .compressed(_, _, let codec) = payload else { return nil }
        return codec.format
    }

    /// The payload of a stored chunk; `text` or `data` is read only when it is that kind of
    /// chunk. An unknown format number (a newer Minibot wrote it) is an error.
    public static func payload(size: Int?, format: Int?, text: () throws -> String,
                               data: () throws -> [UInt8]) throws -> LogPayload {
        guard let size else { return .text(try text()) }
        guard let codec = LogCodec(format: format ?? LogCodec.zlib.format) else {
            throw LogCompressionError(message: "a log chunk is stored in format \(format ?? 0), which this version cannot read")
        }
        return .compressed(try data(), size: size, codec: codec)
    }
}
