import Foundation
import MinibotCore
import MinibotStore

/// The password for an address: the first matching line of the password file the URL names
/// (`?passfile=`), else `PGPASSWORD`, else a line of `PGPASSFILE` or `~/.pgpass`, as libpq.
///
/// A password file has lines `host:port:database:user:password`; `*` matches anything, `\:`
/// and `\\` escape, `#` starts a comment. Read when the store connects, never logged.
enum PostgresPasswordFile {
    static func password(for address: PostgresAddress, environment: [String: String]) throws -> String? {
        if address.passfile == nil, let password = environment["PGPASSWORD"] { return password }
        let path: String
        if let passfile = address.passfile {
            path = passfile
        } else if let passfile = environment["PGPASSFILE"] {
            path = passfile
        } else if let home = environment["HOME"] {
            path = home + "/.pgpass"
        } else {
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            if address.passfile != nil {
                throw StoreError("cannot read the password file \(path) named in the database URL; "
                    + "check that it exists and is readable by the master")
            }
            return nil
        }
        return password(in: String(decoding: data, as: UTF8.self), for: address)
    }

    /// The password of the first line of `text` that matches `address`.
    static func password(in text: String, for address: PostgresAddress) -> String? {
        let host = address.isUnixSocket ? "localhost" : address.host
        let wanted = [host, String(address.port), address.database, address.user]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = split(line)
            guard fields.count == 5 else { continue }
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// One line's fields, split at unescaped colons.
    static func split(_ line: Substring) -> [String] {
        var fields: [String] = []
        var field = ""
        var escaped = false
        for character in line {
            if escaped {
                field.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(field)
                field = ""
            } else {
                field.append(character)
            }
        }
        fields.append(field)
        return fields
    }
}
