import MinibotCore

/// Who may change something through the master's HTTP port, as pure decisions: a web page
/// on another site must not be able to use a browser that can reach the master.
///
/// Browsers send `Origin` with every cross-site POST and let a page send a "simple" request
/// (a form's content types, no custom header) without asking the server first. So:
/// - a state-changing request whose `Origin` is present and is not the master's own origin
///   (the scheme and the `Host` it was addressed to) is refused, whatever it carries;
/// - the change hook without a secret takes only what no page can send without the
///   server's consent: a JSON body or an `X-Minibot-Event` header, from loopback, addressed
///   to a loopback name (which also defeats DNS rebinding: the page's own name is no
///   loopback name).
enum CrossSiteGuard {
    /// The header that marks a change-hook request as sent by a program, not a form.
    static let eventHeader = "X-Minibot-Event"

    /// Methods that change nothing; every other one is checked.
    static func isSafe(method: String) -> Bool {
        ["GET", "HEAD", "OPTIONS"].contains(method.uppercased())
    }

    /// Why a state-changing request from `origin` (its `Origin` header) is refused; nil when
    /// it has none or it is the master's own (`http://HOST` or `https://HOST` for the `Host`
    /// it was sent to).
    static func originRefusal(origin: String?, host: String?) -> String? {
        guard let origin else { return nil }
        let given = origin.lowercased()
        if let host = host?.lowercased(), given == "http://\(host)" || given == "https://\(host)" { return nil }
        return "cross-origin request refused: Origin \(ClientText.quoted(origin, limit: 100)) is not this master's"
    }

    /// Why an unsigned change-hook request is refused; nil when it may proceed.
    static func unsignedHookRefusal(remoteAddress: String?, host: String?, contentType: String?,
                                    hasEventHeader: Bool) -> String? {
        guard let remoteAddress, isLoopback(address: remoteAddress) else {
            return "the change hook without a secret answers only this machine (loopback); set "
                + "www.change_hook.secret or DIR/change_hook.secret to accept other hosts"
        }
        guard let host, isLoopback(host: host) else {
            return "the change hook without a secret answers only requests addressed to a loopback name (127.0.0.1, localhost)"
        }
        let isJSON = contentType.map { $0.lowercased().hasPrefix("application/json") } ?? false
        guard isJSON || hasEventHeader else {
            return "the change hook wants a JSON body or an \(eventHeader) header (a plain form post could come from any web page)"
        }
        return nil
    }

    /// Whether an IP address (as NIO writes it) is a loopback one.
    static func isLoopback(address: String) -> Bool {
        address.hasPrefix("127.") || address == "::1" || address.lowercased().hasPrefix("::ffff:127.")
    }

    /// Whether a `Host` header names this machine: `localhost`, `127.x.y.z` or `[::1]`, with
    /// any port.
    static func isLoopback(host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]") else { return false }
            return name[name.index(after: name.startIndex)..<close] == "::1"
        }
        if let colon = name.firstIndex(of: ":") { name = String(name[..<colon]) }
        if name == "localhost" { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
