import Foundation
import MinibotCore
import MinibotHostFacts

/// The agent's `windows:` interpreted: when the host offers no slots.
///
/// Same syntax as the availability plugin's windows. Only `mode: unavailable` windows (the
/// default) block offers, from `lead` before the window opens to its end; the block's `until`
/// is the window's end, so waiting subscribers see it. `advisory` and `available` windows are
/// accepted and ignored: "advisory" ranks a worker last among a master's candidates, which
/// only the master can do, and the agent arbitrates a single host, so it has no one to rank
/// the host against. Put an advisory window in the master's availability section instead.
public struct HostWindows: Sendable {
    struct Rule: Sendable {
        var window: TimeWindow
        var lead: TimeInterval
    }

    let rules: [Rule]
    /// How many configured windows are ignored (advisory or available), for a startup note.
    public let ignoredCount: Int

    /// Parses every window; a bad `when` or time zone is reported at the window's location.
    public init(_ windows: [AgentConfiguration.Window]) throws(AgentConfigurationError) {
        var rules: [Rule] = []
        var ignored = 0
        for entry in windows {
            let window: TimeWindow
            do {
                window = try TimeWindow(when: entry.when, timeZone: entry.timezone)
            } catch {
                throw Self.error(at: entry.location, error.message)
            }
            guard (entry.mode ?? "unavailable") == "unavailable" else {
                ignored += 1
                continue
            }
            rules.append(Rule(window: window, lead: entry.lead ?? 0))
        }
        self.rules = rules
        self.ignoredCount = ignored
    }

    /// Whether any window blocks offers at all.
    public var isEmpty: Bool { rules.isEmpty }

    /// The block in force at `now`, if any: the first window that contains `now` or opens
    /// within its lead; `until` is when that window ends (nil when it never ends).
    public func block(at now: Date) -> HostBlock? {
        for rule in rules {
            let window = rule.window
            if window.contains(now) {
                let end = window.currentEnd(after: now)
                return HostBlock(reason: "outside hours (\(window))" + (end.map { ", until \(window.format($0, relativeTo: now))" } ?? ""),
                                 until: end)
            }
            if rule.lead > 0, let opens = window.nextStart(after: now), opens.addingTimeInterval(-rule.lead) <= now {
                let end = window.currentEnd(after: opens)
                return HostBlock(reason: "outside hours (\(window)) opens at \(window.format(opens, relativeTo: now)), \(DurationText.describe(rule.lead)) lead",
                                 until: end)
            }
        }
        return nil
    }

    private static func error(at location: String, _ message: String) -> AgentConfigurationError {
        let parts = location.split(separator: ":").map(String.init)
        if parts.count >= 3, let line = Int(parts[parts.count - 2]), let column = Int(parts[parts.count - 1]) {
            return AgentConfigurationError(file: parts.dropLast(2).joined(separator: ":"), line: line, column: column,
                                           message: "window: \(message)")
        }
        return AgentConfigurationError(file: location.isEmpty ? "agent.yaml" : location, line: 1, column: 1, message: "window: \(message)")
    }
}
