import HummingbirdBcrypt
import NIOPosix

/// bcrypt for `www.users`: what `minibot hash-password` prints and what a login checks.
public enum WebPassword {
    /// Cost 12: about a quarter of a second on a desktop, which is the point.
    public static func hash(_ password: String, cost: UInt8 = 12) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// Whether `password` matches `hash`, computed on NIO's thread pool (never on an event
    /// loop). `$2y$` (htpasswd's) is the same algorithm as `$2b$`, which is what the library reads.
    static func verify(_ password: String, hash: String) async -> Bool {
        let readable = hash.hasPrefix("$2y$") ? "$2b$" + hash.dropFirst(4) : hash
        return (try? await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: readable) }) ?? false
    }
}
