/// A git repository address, parsed by git's documented rules (git-clone(1), "GIT URLS").
///
/// - `scheme://…` (letters, digits, `+`, `-`, `.` before `://`) is a URL; `file://` too.
/// - Otherwise a colon with no slash before it is scp-like: `user@host:path` or `host:path`.
/// - Anything else is a local path, including paths with a slash before a colon (`./a:b`,
///   `/x:y`); a relative one is relative to the master directory.
///
/// The one parser for checkconfig, the poller and the checkout step.
public enum RepositoryAddress: Sendable, Hashable {
    case local(path: String)
    case url(scheme: String, address: String)
    case scp(user: String?, host: String, path: String)

    /// Parses `address` as git does.
    public init(_ address: String) {
        if let range = address.range(of: "://") {
            let scheme = address[..<range.lowerBound]
            if !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) {
                self = .url(scheme: scheme.lowercased(), address: address)
                return
            }
        }
        if let colon = address.firstIndex(of: ":"), !address[..<colon].contains("/") {
            let login = address[..<colon]
            let path = String(address[address.index(after: colon)...])
            if let at = login.lastIndex(of: "@") {
                self = .scp(user: String(login[..<at]), host: String(login[login.index(after: at)...]), path: path)
            } else {
                self = .scp(user: nil, host: String(login), path: path)
            }
            return
        }
        self = .local(path: address)
    }

    /// What to hand libgit2: a relative local path made absolute against `directory`; URLs
    /// and scp-like addresses as written.
    public func resolved(relativeTo directory: String) -> String {
        switch self {
        case .local(let path):
            if path.hasPrefix("/") { return path }
            return Self.standardized(directory + "/" + path)
        case .url(_, let address):
            return address
        case .scp(let user, let host, let path):
            return (user.map { "\($0)@" } ?? "") + "\(host):\(path)"
        }
    }

    /// `a/./b/../c` → `a/c`, without touching the file system.
    private static func standardized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", !parts.isEmpty { parts.removeLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}
