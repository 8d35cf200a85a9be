/// One `www.users` entry: a person who may log in to the web UI and act there (force,
/// stop, rebuild, cancel, pause, flag); what they do is recorded under their name.
///
/// Only a bcrypt hash is kept (`$2a$`, `$2b$` or `$2y$`, as `minibot hash-password` or
/// `htpasswd -nBC 12 ""` print it), never the password.
public struct WebUser: Sendable, Equatable {
    public var name: String
    public var passwordHash: String

    public init(name: String, passwordHash: String) {
        self.name = name
        self.passwordHash = passwordHash
    }

    /// Why `hash` is not a bcrypt hash this master can check; nil when it is one.
    public static func hashProblem(_ hash: String) -> String? {
        let bytes = Array(hash.utf8)
        let prefixes = ["$2a$", "$2b$", "$2y$"]
        guard bytes.count == 60, prefixes.contains(where: { hash.hasPrefix($0) }) else {
            return "a password hash is a 60-character bcrypt hash starting $2b$ (make one with `minibot hash-password`)"
        }
        guard let cost = Int(String(decoding: bytes[4..<6], as: UTF8.self)), (4...31).contains(cost), bytes[6] == UInt8(ascii: "$") else {
            return "the bcrypt hash's cost (the digits after $2b$) must be 04 to 31"
        }
        let alphabet = Set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        guard bytes[7...].allSatisfy(alphabet.contains) else {
            return "the bcrypt hash holds characters bcrypt never writes"
        }
        return nil
    }
}
