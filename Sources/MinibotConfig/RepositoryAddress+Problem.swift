import Foundation
import MinibotCore

/// A plausibility check of a git repository address as written in `master.cfg`, so a typo
/// such as `htp://host/repo` is reported by `checkconfig` instead of failing at the first poll.
///
/// It accepts what libgit2 fetches: local paths (relative ones are relative to the master
/// directory), `file://`, `http(s)://`, `ssh://`, `git://`, and scp-like `[user@]host:path`,
/// told apart by ``RepositoryAddress``'s git rules.
extension RepositoryAddress {
    static let schemes = ["file", "http", "https", "ssh", "git"]

    /// What is wrong with `address`, or nil when it looks usable.
    static func problem(_ address: String) -> String? {
        let forms = "use a local path, file://, http(s)://, ssh://, git:// or user@host:path"
        if address.trimmingCharacters(in: .whitespaces).isEmpty { return "the repository is empty; \(forms)" }
        if address.contains(where: { $0.isWhitespace }) {
            return "the repository '\(address)' contains a space; escape it as %20 in a URL or rename the path"
        }
        switch RepositoryAddress(address) {
        case .local:
            return nil
        case .url(let scheme, _):
            let rest = address[address.range(of: "://")!.upperBound...]
            guard schemes.contains(scheme) else {
                let near = Suggestions.closest(to: scheme, among: schemes).map { " (did you mean '\($0)://'?)" } ?? ""
                return "unknown URL scheme '\(scheme)://' in repository '\(address)'\(near); \(forms)"
            }
            if scheme == "file" {
                return rest.isEmpty ? "the file:// URL '\(address)' names no path" : nil
            }
            let host = rest.prefix { $0 != "/" && $0 != ":" }.split(separator: "@").last ?? ""
            if host.isEmpty { return "the URL '\(address)' names no host; \(forms)" }
            return nil
        case .scp(_, let host, let path):
            if host.isEmpty || path.isEmpty {
                return "'\(address)' looks like an scp-like address but has no \(host.isEmpty ? "host" : "path"); "
                    + "write user@host:path, or \(forms)"
            }
            return nil
        }
    }
}
