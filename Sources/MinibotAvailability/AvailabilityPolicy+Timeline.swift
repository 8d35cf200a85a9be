import Foundation
import MinibotCore
import MinibotHostFacts

extension AvailabilityPolicy {
    /// The longest span a timeline covers: a request for more is cut here, so a hostile or
    /// mistaken `to` cannot make the band lists grow without bound.
    public static let timelineMaxSpan: Double = 31 * 86_400

    /// How many occurrences of one window a timeline follows at most (a daily window over
    /// 31 days has 31; this bounds the loop whatever the window computes).
    static let timelineMaxOccurrences = 128

    /// The bands in which the worker will be advisory or unavailable between `from` and `to`,
    /// by the same rules as ``evaluate(flag:load:owner:isConnected:now:)`` with the
    /// measurements (load, owner) left out: each window's occurrences with their lead time
    /// before them, the run-time flag until it expires, then the `master.cfg` flag. Bands are
    /// cut to the span and ordered by start; the load thresholds come along.
    public func timeline(flag runtimeFlag: AvailabilityFlag?, from: Date, to requestedTo: Date) -> AvailabilityTimeline {
        let to = min(requestedTo, from.addingTimeInterval(Self.timelineMaxSpan))
        let resume = settings.maxLoad.map { LoadHysteresis(max: $0, resume: settings.resumeLoad).resume }
        var timeline = AvailabilityTimeline(from: from, to: to, bands: [], maxLoad: settings.maxLoad, resumeLoad: resume,
                                            maxCPUPressure: settings.maxCPUPressure)
        guard to > from else { return timeline }
        var bands = flagBands(runtimeFlag, from: from, to: to)
        for rule in settings.windows { bands += windowBands(rule, from: from, to: to) }
        timeline.bands = bands.sorted { ($0.start, $0.end) < ($1.start, $1.end) }
        return timeline
    }

    private func flagBands(_ runtimeFlag: AvailabilityFlag?, from: Date, to: Date) -> [AvailabilityTimeline.Band] {
        var bands: [AvailabilityTimeline.Band] = []
        func add(_ flag: AvailabilityFlag, _ start: Date, _ end: Date) {
            guard end > start, let state = Self.bandState(flag.state) else { return }
            let who = flag.setBy == "master.cfg" ? "flagged in master.cfg" : "flagged by \(flag.setBy)"
            bands.append(.init(start: start, end: end, state: state, source: .flag,
                               label: flag.reason.isEmpty ? who : "\(who): \(flag.reason)"))
        }
        var configuredFrom = from
        if let runtimeFlag, runtimeFlag.isActive(at: from) {
            let end = min(runtimeFlag.expiresAt ?? to, to)
            add(runtimeFlag, from, end)
            configuredFrom = end
        }
        // After the run-time flag expires (or without one), the master.cfg flag is in force again.
        if configuredFrom < to, let configured = flagInForce(runtime: nil, now: configuredFrom) {
            add(configured, configuredFrom, to)
        }
        return bands
    }

    private func windowBands(_ rule: WindowRule, from: Date, to: Date) -> [AvailabilityTimeline.Band] {
        let window = rule.window
        let state: AvailabilityTimeline.State = rule.state == .unavailable ? .unavailable : .advisory
        let label = "\(rule.reason) \(window)"
        var bands: [AvailabilityTimeline.Band] = []
        func add(_ start: Date, _ end: Date, _ source: AvailabilityTimeline.Source, _ text: String) {
            let s = max(start, from), e = min(end, to)
            if e > s { bands.append(.init(start: s, end: e, state: state, source: source, label: text)) }
        }
        let leadLabel = rule.lead > 0 ? "\(label): \(DurationText.describe(rule.lead)) lead before it opens" : ""
        var t = from
        for _ in 0..<Self.timelineMaxOccurrences {
            if window.contains(t) {
                // Open now (or at the span's start): until it closes, or to the end when it never does.
                let end = window.currentEnd(after: t) ?? to
                add(t, end, .window, label)
                guard end > t, end < to else { break }
                t = end
                continue
            }
            // Looked up from the lead time's reach: an opening within `lead` after `t` already counts.
            guard let opens = window.nextStart(after: t) else { break }
            let leadStart = opens.addingTimeInterval(-rule.lead)
            guard leadStart < to else { break }
            if rule.lead > 0 { add(leadStart, opens, .lead, leadLabel) }
            let end = window.currentEnd(after: opens) ?? to
            add(opens, end, .window, label)
            guard end > opens, end < to else { break }
            t = end
        }
        return bands
    }

    private static func bandState(_ state: AvailabilityState) -> AvailabilityTimeline.State? {
        switch state {
        case .available: nil
        case .advisory: .advisory
        case .unavailable: .unavailable
        }
    }
}
