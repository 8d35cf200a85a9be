/// The numeric id of a builder or worker (`builderid`, `workerid` in the API, as Buildbot
/// numbers them): derived from the name, so it is the same on every master sharing a
/// database, after a reload and after a restart, with no table to keep.
///
/// 31 bits of the name's FNV-1a hash, never 0: small enough for any JSON reader. Two names
/// of one configuration that meet on one id are refused by the master.cfg check.
public enum StableID {
    public static func of(_ name: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let folded = (hash >> 33) ^ (hash & 0x7fff_ffff)
        return max(1, Int64(folded & 0x7fff_ffff))
    }

    /// The name among `names` whose id `text` is, when `text` is a number.
    public static func name(forID text: String, among names: [String]) -> String? {
        guard let id = Int64(text) else { return nil }
        return names.first { of($0) == id }
    }
}
