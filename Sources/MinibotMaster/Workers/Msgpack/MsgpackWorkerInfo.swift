import MinibotProtocol

/// What a stock worker's answer to `get_worker_info` says, checked: `basedir` (absolute, where
/// every workdir is rooted), `numcpus`, `version`, the `os_*` fields of its /etc/os-release,
/// and the admin's `info/` files (`admin`, `host`). Everything else (`environ`,
/// `worker_commands`…) is ignored.
struct MsgpackWorkerInfo: Equatable {
    var basedir: String
    var cpus: Int
    /// As the worker says it, e.g. "4.3.0".
    var version: String
    /// A readable OS name: `os_pretty_name`, else `os_id`, else `system` ("posix").
    var os: String
    var admin: String?
    var host: String?

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    static let maxText = 4096

    static func parse(_ result: MessagePackValue) -> Result<MsgpackWorkerInfo, Problem> {
        guard case .map = result else { return .failure(Problem(description: "get_worker_info did not answer a map")) }
        func text(_ key: String) -> String? {
            guard let s = result[key]?.stringValue, !s.isEmpty else { return nil }
            return String(s.prefix(maxText))
        }
        guard let basedir = text("basedir"), basedir.hasPrefix("/"), !basedir.contains("\0") else {
            return .failure(Problem(description: "the worker reported no absolute basedir (a Windows worker is not supported)"))
        }
        let cpus = result["numcpus"]?.integer(in: 1...65536) ?? 1
        let os = text("os_pretty_name") ?? text("os_id") ?? text("system") ?? "unknown"
        return .success(MsgpackWorkerInfo(basedir: basedir, cpus: cpus, version: text("version") ?? "unknown",
                                          os: os, admin: text("admin")?.trimmed, host: text("host")?.trimmed))
    }
}

private extension String {
    var trimmed: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
