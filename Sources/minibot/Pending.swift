import ArgumentParser
import Foundation
import MinibotClient
import MinibotCore

/// `minibot pending`: the waiting build requests and, per worker, why each waits.
struct Pending: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List pending build requests and why each one waits (per worker, with until when).")

    @OptionGroup var master: MasterOptions

    func run() async throws {
        let client = try master.client()
        let answer = try await call { () async throws(ClientError) in
            try await client.get("api/v2/buildrequests?claimed=false&complete=false")
        }
        guard case .array(let list)? = answer["buildrequests"] else { throw Failure.failed("unexpected answer: \(answer)") }
        if list.isEmpty {
            print("no pending build requests")
            return
        }
        var rows: [[String]] = []
        for r in list {
            let id = String(Int(r["buildrequestid"]?.doubleValue ?? 0))
            let builder = r["builder"]?.stringValue ?? ""
            let since = formatTime(r["submitted_at"]?.doubleValue)
            var reasons: [String] = []
            if case .array(let ws)? = r["waiting_reasons"] {
                for w in ws {
                    var text = ""
                    if let worker = w["worker"]?.stringValue { text += "\(worker): " }
                    text += w["reason"]?.stringValue ?? ""
                    if let until = w["until"]?.doubleValue { text += " (until \(formatTime(until)))" }
                    reasons.append(text)
                }
            }
            if reasons.isEmpty { reasons = ["starting"] }
            for (i, reason) in reasons.enumerated() {
                rows.append(i == 0 ? [id, builder, since, reason] : ["", "", "", reason])
            }
        }
        printTable(["REQUEST", "BUILDER", "SUBMITTED", "WHY IT WAITS"], rows)
    }
}
