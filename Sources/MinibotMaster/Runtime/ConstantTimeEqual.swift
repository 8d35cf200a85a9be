import Crypto
import Foundation

/// Whether two secrets (a password, a token, a signature) are equal, in a time that reveals
/// neither how much of them matched nor their lengths: both are hashed (SHA-256) and the
/// digests compared without an early exit.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(SHA256.hash(data: Data(a.utf8))), y = Array(SHA256.hash(data: Data(b.utf8)))
    var diff: UInt8 = 0
    for i in x.indices { diff |= x[i] ^ y[i] }
    return diff == 0
}
