import Foundation
import MinibotProtocol

/// Renders an `AgentStatus` as the readable report of `minibot-agent status`.
///
/// Times are shown relative to the report's own `now` ("for 2m10s", "in 18s"), so the text
/// does not depend on the reader's time zone or clock.
public enum AgentStatusText {
    public static func render(_ status: AgentStatus) -> String {
        var lines: [String] = []
        lines.append("agent \(status.agent): \(status.leases.count) of \(status.slots) slot(s) in use")
        if let until = status.recoveringUntil {
            lines.append("recovering after restart: re-registrations only, for \(relative(until, status.now))")
        }
        var load = "load: "
        if let sample = status.load {
            load += "\(decimal(sample.load1)) \(decimal(sample.load5)) \(decimal(sample.load15))"
            if let pressure = sample.cpuPressureSome10 { load += ", cpu pressure \(decimal(pressure))%" }
            if let effective = status.effectiveLoad, effective != sample.load1 {
                load += ", effective \(decimal(effective)) with recent grants"
            }
        } else {
            load += "no sample yet"
        }
        if let maxLoad = status.maxLoad {
            load += " (block above \(decimal(maxLoad)), resume below \(decimal(status.resumeLoad ?? maxLoad)))"
        } else {
            load += " (no load limit)"
        }
        lines.append(load)
        if let lastGrant = status.lastGrant {
            lines.append("last grant: \(relative(lastGrant, status.now)) ago")
        }
        lines.append("leases:")
        if status.leases.isEmpty { lines.append("  none") }
        for lease in status.leases {
            lines.append("  master \(lease.master), worker \(lease.worker), builder \(lease.builder), build \(lease.build): since \(relative(lease.since, status.now)) ago, token \(lease.token), expires in \(relative(lease.expiresAt, status.now))")
        }
        if let offer = status.offer {
            lines.append("offer \(offer.offer) out to \(offer.subscription), expires in \(relative(offer.expiresAt, status.now))")
        }
        lines.append("queue (serving order):")
        if status.queue.isEmpty { lines.append("  empty") }
        for (index, entry) in status.queue.enumerated() {
            var line = "  \(index + 1). master \(entry.master), builder \(entry.builder), worker \(entry.worker) [\(entry.subscription), priority \(entry.priority), waiting \(relative(entry.since, status.now))]: \(entry.reason)"
            if let until = entry.until { line += " (until in \(relative(until, status.now)))" }
            lines.append(line)
        }
        if let blocked = status.blocked {
            var line = "nothing offered now: \(blocked)"
            if let until = status.blockedUntil { line += " (until in \(relative(until, status.now)))" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    static func relative(_ date: Date, _ now: Date) -> String {
        let seconds = Int(abs(date.timeIntervalSince(now)).rounded())
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m\(String(format: "%02d", seconds % 60))s" }
        return "\(seconds / 3600)h\(String(format: "%02d", seconds % 3600 / 60))m"
    }

    static func decimal(_ value: Double) -> String {
        String(format: "%.2f", value)
    }
}
