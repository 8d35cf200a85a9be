import Foundation
import MinibotCore
import MinibotHostFacts

/// The agent's `windows:` interpreted: when the host offers no slots.
///
/// Read by the availability plugin's reader (`ConfigReader.windows`). Only `mode: unavailable` windows (the
/// default) block offers, from `lead` before the window opens to its end; the block's `until`
/// is the window's end, so waiting subscribers see it. `advisory` windows are accepted and
/// ignored: "advisory" ranks a worker last among a master's candidates, which
/// only the master can do, and the agent arbitrates a single host, so it has no one to rank
/// the host against. Put an advisory window in the master's availability section instead.
public struct HostWindows: Sendable {
    struct Rule: Sendable {
        var window: TimeWindow
        var lead: TimeInterval
    }

    let rules: [Rule]
    /// How many configured windows are ignored (advisory), for a startup note.
    public let ignoredCount: Int

    /// Keeps the `unavailable` windows; the others are counted in ``ignoredCount``.
    public init(_ windows: [WindowRule]) {
        rules = windows.filter { $0.mode == .unavailable }.map { Rule(window: $0.window, lead: $0.lead) }
        ignoredCount = windows.count - rules.count
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
                // The end travels as `until` (shown by the status and the master), not in the words.
                return HostBlock(reason: "restricted hours \(window)", until: end)
            }
            if rule.lead > 0, let opens = window.nextStart(after: now), opens.addingTimeInterval(-rule.lead) <= now {
                let end = window.currentEnd(after: opens)
                return HostBlock(reason: "restricted hours \(window) opens at \(Self.time(opens, now, window)), \(DurationText.describe(rule.lead)) lead",
                                 until: end)
            }
        }
        return nil
    }

    /// In the agent's zone with its label, and the window's zone beside it when it differs.
    private static func time(_ date: Date, _ now: Date, _ window: TimeWindow) -> String {
        TimeLabel.text(date, relativeTo: now, in: .current, alsoIn: window.timeZone)
    }
}
