import Foundation

/// The master's open-file limit: every worker link, API connection, long poll and event
/// stream is a descriptor, and so are the database and its journal.
enum OpenFileLimit {
    #if os(Linux)
    private static let resource = Int32(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif

    /// Raises the soft limit to the hard limit: the usual soft limit (1024) is far below what
    /// a busy master holds. The hard limit is the admin's (systemd's `LimitNOFILE`).
    static func raise() {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(resource, &limit)
    }

    /// The soft limit now, or nil when it cannot be read or is unlimited.
    static var current: Int? {
        var limit = rlimit()
        // RLIM_INFINITY is all ones, which no Int holds: unlimited and unreadable are both nil.
        guard getrlimit(resource, &limit) == 0 else { return nil }
        return Int(exactly: limit.rlim_cur)
    }
}
