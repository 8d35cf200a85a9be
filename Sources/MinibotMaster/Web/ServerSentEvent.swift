/// One Server-Sent Events frame, encoded as the `text/event-stream` format wants it: `id:`
/// (so a reconnecting EventSource sends `Last-Event-ID`), `event:`, and the data split into
/// `data:` lines. Pure.
struct ServerSentEvent: Sendable, Equatable {
    var id: Int64?
    var event: String?
    var data: String

    var encoded: String {
        var out = ""
        if let id { out += "id: \(id)\n" }
        if let event { out += "event: \(Self.oneLine(event))\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            out += "data: \(line.hasSuffix("\r") ? line.dropLast() : line)\n"
        }
        return out + "\n"
    }

    /// A comment line: keeps proxies and the browser from closing an idle stream.
    static let ping = ": ping\n\n"

    private static func oneLine(_ s: String) -> String {
        String(s.filter { $0 != "\n" && $0 != "\r" })
    }
}
