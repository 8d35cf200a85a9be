import Foundation
import MinibotCore
import MinibotProtocol

/// The CLI's side of the control socket: sends one request to a running worker and returns
/// its reply. Errors are ``ControlClientError``s whose message says what to do.
public enum ControlClient {
    public static func send(_ request: ControlRequest, socketPath path: String) async throws(ControlClientError) -> ControlReply {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ControlClientError("no worker is running there: \(path) does not exist (start it with 'minibot-worker start DIR')")
        }
        let reply: ControlReply?
        do {
            reply = try await LineChannel.connect(to: path, receiving: ControlReply.self, sending: ControlRequest.self) { connection -> ControlReply? in
                try await connection.outbound.send(request)
                for try await line in connection.inbound {
                    return try line.get()
                }
                return nil
            }
        } catch let error as LineChannelError where error.message.hasPrefix("cannot connect") {
            throw ControlClientError("no worker answers on \(path): is it running? (start it with 'minibot-worker start DIR')")
        } catch {
            throw ControlClientError("talking to the worker on \(path) failed: \(error)")
        }
        guard let reply else {
            throw ControlClientError("the worker closed \(path) without answering; see its log")
        }
        return reply
    }

    /// `w1: unavailable: maintenance (set by anna@box (worker), until 15:30)` — one line from
    /// the plugin's availability JSON.
    public static func describe(_ availability: JSONValue?, worker: String) -> String {
        guard let availability, let state = availability["state"]?.stringValue else { return "\(worker): availability unknown" }
        var line = "\(worker): \(state)"
        if let reason = availability["reason"]?.stringValue, !reason.isEmpty { line += ": \(reason)" }
        var details: [String] = []
        if let by = availability["set_by"]?.stringValue { details.append("set by \(by)") }
        if let until = availability["until_text"]?.stringValue {
            details.append(until)
        } else if let until = availability["until"]?.doubleValue {
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd HH:mm"
            details.append("until \(formatter.string(from: Date(timeIntervalSince1970: until)))")
        }
        if let load = availability["load"]?.doubleValue { details.append(String(format: "load %.2f", load)) }
        if availability["connected"]?.boolValue == false { details.append("not connected") }
        if !details.isEmpty { line += " (\(details.joined(separator: ", ")))" }
        return line
    }
}

/// Why the CLI could not talk to its worker; the message says what to do.
public struct ControlClientError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
