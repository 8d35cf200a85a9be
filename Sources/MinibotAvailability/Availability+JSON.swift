import Foundation
import MinibotCore

extension Availability {
    /// The form shown under `availability` in `GET /api/v2/workers`, by
    /// `GET /api/v2/plugins/availability/workers[/NAME]` and by `minibot availability show`:
    ///
    /// `{state, reason, set_by, until, until_text, explanation, usable_at, usable_when,
    ///   connected, load, cpu_pressure, memory_pressure, io_pressure, free_memory (bytes), flag: {state, reason, set_by, set_at, expires_at} | null,
    ///   causes: [...]}`
    ///
    /// `usable_at` is when an unavailable worker predictably becomes usable (following causes
    /// that come one after another), `usable_when` the condition when a measurement decides.
    ///
    /// Times are epoch seconds; absent values are null.
    public var json: JSONValue {
        func number(_ d: Double?) -> JSONValue { d.map { .number($0) } ?? .null }
        func string(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        return .object([
            "state": .string(state.rawValue),
            "reason": string(reason),
            "set_by": string(setBy),
            "until": number(until?.timeIntervalSince1970),
            "until_text": string(untilText),
            "explanation": string(explanation),
            "usable_at": number(endsAt?.timeIntervalSince1970),
            "usable_when": string(endCondition),
            "connected": .bool(isConnected),
            "load": number(load1),
            "cpu_pressure": number(cpuPressure),
            "memory_pressure": number(memoryPressure),
            "io_pressure": number(ioPressure),
            "free_memory": number(freeMemory),
            "flag": flag?.json ?? .null,
            "causes": .array(causes.map { cause in
                .object([
                    "source": .string(cause.source.rawValue),
                    "state": .string(cause.state.rawValue),
                    "reason": .string(cause.reason),
                    "set_by": .string(cause.setBy),
                    "until": number(cause.until?.timeIntervalSince1970),
                    "until_text": string(cause.untilText),
                ])
            }),
        ])
    }
}
