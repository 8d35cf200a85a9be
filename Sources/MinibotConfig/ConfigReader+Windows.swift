import Foundation
import MinibotCore
import MinibotHostFacts

extension ConfigReader {
    /// The keys of a window block.
    public static let windowKeys = ["when", "timezone", "mode", "lead", "reason"]

    /// A `windows:` list, the one reading of it for `master.cfg` (the availability plugin)
    /// and `agent.yaml`: each item is a bare `when` string or a mapping
    /// `{when, timezone, mode, lead, reason}`. Items that fail are left out, with their errors.
    /// Empty (`windows:`) reads as no windows.
    public func windows(_ node: ConfigNode) -> [WindowRule]? {
        if node.isNull { return [] }
        return list(node, "'windows' (e.g. [{when: \"Mon-Fri 09:00-17:00\", mode: unavailable}])") { window($0) }
    }

    /// One window block.
    public func window(_ node: ConfigNode) -> WindowRule? {
        if let text = node.scalar {
            return timeWindow(text, at: node.location, zone: nil, zoneLocation: nil).map { WindowRule(window: $0) }
        }
        return mapping(node, "a window", keys: Self.windowKeys) { m -> WindowRule? in
            guard let whenNode = m["when"] else {
                m.reader.error("a window needs 'when', e.g. when: \"Mon-Fri 09:00-17:00\"", at: node.location)
                return nil
            }
            let zoneNode = m["timezone"]
            let zone = zoneNode.flatMap { string($0, "'timezone'") }
            let mode = m.has("mode") ? m.choice("mode", as: RestrictionMode.self) : .unavailable
            let lead = m.has("lead") ? m.duration("lead") : 0
            let reason = m.string("reason")
            guard let when = string(whenNode, "'when'"),
                  let window = timeWindow(when, at: whenNode.location, zone: zone, zoneLocation: zoneNode?.location),
                  let mode, let lead else { return nil }
            return WindowRule(window: window, mode: mode, lead: lead, reason: reason)
        } ?? nil
    }

    private func timeWindow(_ when: String, at location: SourceLocation, zone: String?,
                            zoneLocation: SourceLocation?) -> TimeWindow? {
        var timeZone = TimeZone.current
        var zoneIsValid = true
        do {
            timeZone = try TimeWindow.timeZone(zone)
        } catch {
            self.error(error.message, at: zoneLocation ?? location)
            zoneIsValid = false
        }
        do {
            let window = try TimeWindow(when: when, timeZone: timeZone)
            return zoneIsValid ? window : nil
        } catch {
            self.error("bad window '\(when)': \(error.message)", at: location)
            return nil
        }
    }
}
