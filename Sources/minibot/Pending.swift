import ArgumentParser
import Foundation
import MinibotClient
import MinibotCore

/// `minibot pending`: the waiting build requests and, per worker, why each waits.
///
/// Times are the master's local time with the zone's label (the API gives epoch seconds and
/// the master's zone), with a window's own zone beside it when it differs:
/// `until 08:00 UTC (17:00 JST)`. A wait that depends on a measurement says so in words.
struct Pending: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List pending build requests and why each one waits (per worker, with when the wait ends).")

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
        let zone = answer["time_zone"]?.stringValue.flatMap(TimeZone.init(identifier:)) ?? .current
        let text = PendingText(zone: zone, now: Date())
        var rows: [[String]] = []
        for r in list {
            let id = String(r["buildrequestid"]?.integer(in: 0...Int64.max) ?? 0)
            let builder = r["builder"]?.stringValue ?? ""
            let since = r["submitted_at"]?.doubleValue.map { text.stamp(Date(timeIntervalSince1970: $0)) } ?? "-"
            var reasons: [String] = []
            if case .array(let ws)? = r["waiting_reasons"] {
                reasons = ws.map(text.reason)
            }
            if case .array(let entries)? = r["waiting_summary"], let line = text.summary(entries) {
                reasons.insert(line, at: min(1, reasons.count))
            }
            if reasons.isEmpty { reasons = ["starting"] }
            if let line = text.expected(r) { reasons.append(line) }
            for (i, reason) in reasons.enumerated() {
                rows.append(i == 0 ? [id, builder, since, reason] : ["", "", "", reason])
            }
        }
        printTable(["REQUEST", "BUILDER", "SUBMITTED", "WHY IT WAITS"], rows)
    }
}
