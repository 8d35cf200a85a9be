/// How a compressed piece of step output was compressed: on the wire (a frame kind), and in
/// the store (a format number kept with every chunk, so a log written by an older Minibot
/// reads as it did).
///
/// Numbers and names are never reused: a stored chunk keeps its format for as long as it
/// exists, and a peer that does not know a name ignores it.
public enum LogCodec: String, Sendable, CaseIterable {
    /// zlib (RFC 1950): the first format, what workers before zstd send and older logs hold.
    case zlib
    /// zstd frames (RFC 8878): several times faster than zlib for as good or better sizes,
    /// and it still saves a quarter of base64 or other text that zlib's fast level gives up on.
    case zstd

    /// The number stored with a chunk: 1 zlib (also what a chunk with no number is), 2 zstd.
    public var format: Int {
        switch self {
        case .zlib: 1
        case .zstd: 2
        }
    }

    /// The codec of a stored format number; nil for a number this version does not know.
    public init?(format: Int) {
        guard let codec = Self.allCases.first(where: { $0.format == format }) else { return nil }
        self = codec
    }
}
