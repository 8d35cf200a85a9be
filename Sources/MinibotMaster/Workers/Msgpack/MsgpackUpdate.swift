import MinibotCore
import MinibotProtocol

/// One `[key, value]` pair of a stock worker's `update`, checked. Output values are
/// buildbot-worker's line records `[text, [newline offsets], [times]]`, of which only the text
/// is kept (a bare string is accepted too).
enum MsgpackUpdate: Equatable {
    case output(LogStream, String)
    case rc(Int32)
    case elapsed(Double)
    case failureReason(String)
    /// A key Minibot does not use (`log` of a watched logfile, `stat`, `files`…).
    case ignored(String)

    /// The pairs of an `update`'s `args`, or nil when they are not a list of pairs.
    static func parse(_ args: MessagePackValue?) -> [MsgpackUpdate]? {
        guard let pairs = args?.arrayValue else { return nil }
        var updates: [MsgpackUpdate] = []
        updates.reserveCapacity(pairs.count)
        for pair in pairs {
            guard let items = pair.arrayValue, items.count == 2, let key = items[0].stringValue else { return nil }
            let value = items[1]
            switch key {
            case "stdout", "stderr", "header":
                let stream: LogStream = key == "stdout" ? .stdout : key == "stderr" ? .stderr : .header
                guard let text = value.stringValue ?? value.arrayValue?.first?.stringValue else { return nil }
                updates.append(.output(stream, text))
            case "rc":
                guard let rc = value.integer(in: Int(Int32.min)...Int(Int32.max)) else { return nil }
                updates.append(.rc(Int32(rc)))
            case "elapsed":
                guard let seconds = value.finiteDouble else { return nil }
                updates.append(.elapsed(seconds))
            case "failure_reason":
                guard let reason = value.stringValue else { return nil }
                updates.append(.failureReason(String(reason.prefix(256))))
            default:
                updates.append(.ignored(String(key.prefix(64))))
            }
        }
        return updates
    }
}
