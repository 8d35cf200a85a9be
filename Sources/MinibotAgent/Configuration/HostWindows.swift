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
}
