import Crypto
import Foundation

/// The hash of a master.cfg as several masters compare it: SHA-256 of the file's bytes, the
/// first 16 hexadecimal digits (enough to tell two files apart, short enough to read).
enum ConfigDigest {
    static func of(file path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return SHA256.hash(data: data).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
