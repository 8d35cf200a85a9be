import Foundation

/// What a plugin foresees of one worker's availability over a span of time: the bands in
/// which it will be advisory or unavailable (windows, their lead times, flags until they
/// expire) and the load thresholds that apply at any time.
///
/// A plain value for the web UI's timeline picture and the API; the load itself is not
/// foreseen (it is measured), so only its thresholds are here.
public struct AvailabilityTimeline: Sendable, Equatable {
    /// How restricted the worker is inside a band.
    public enum State: String, Sendable, Equatable, CaseIterable {
        /// Used only when no other worker can take the build.
        case advisory
        /// No new builds.
        case unavailable
    }

    /// What a band comes from.
    public enum Source: String, Sendable, Equatable, CaseIterable {
        case window
        /// The lead time before a window opens, already restricted so no build runs into it.
        case lead
        case flag
    }

    /// One stretch of time in one state, with the reason in words.
    public struct Band: Sendable, Equatable {
        public var start: Date
        /// After `start`; a band that lasts past the span ends at the span's end.
        public var end: Date
        public var state: State
        public var source: Source
        /// `restricted hours Mon-Fri 09:00-17:00 Europe/Berlin`, `flagged by anna: disk swap`.
        public var label: String

        public init(start: Date, end: Date, state: State, source: Source, label: String) {
            self.start = start
            self.end = end
            self.state = state
            self.source = source
            self.label = label
        }
    }

    public var from: Date
    public var to: Date
    /// Ordered by start.
    public var bands: [Band]
    /// The 1-minute load above which the worker is held back; nil: load does not matter.
    public var maxLoad: Double?
    /// Where a blocked load threshold frees again (the hysteresis band is `resumeLoad...maxLoad`).
    public var resumeLoad: Double?
    /// The CPU-pressure threshold in percent; nil: not checked.
    public var maxCPUPressure: Double?

    public init(from: Date, to: Date, bands: [Band], maxLoad: Double? = nil, resumeLoad: Double? = nil,
                maxCPUPressure: Double? = nil) {
        self.from = from
        self.to = to
        self.bands = bands
        self.maxLoad = maxLoad
        self.resumeLoad = resumeLoad
        self.maxCPUPressure = maxCPUPressure
    }

    /// The API form: times as epoch seconds, as the rest of the API.
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "from": .number(from.timeIntervalSince1970),
            "to": .number(to.timeIntervalSince1970),
            "bands": .array(bands.map { b in
                .object(["start": .number(b.start.timeIntervalSince1970), "end": .number(b.end.timeIntervalSince1970),
                         "state": .string(b.state.rawValue), "source": .string(b.source.rawValue), "label": .string(b.label)])
            }),
        ]
        o["max_load"] = maxLoad.map(JSONValue.number) ?? .null
        o["resume_load"] = resumeLoad.map(JSONValue.number) ?? .null
        o["max_cpu_pressure"] = maxCPUPressure.map(JSONValue.number) ?? .null
        return .object(o)
    }
}
