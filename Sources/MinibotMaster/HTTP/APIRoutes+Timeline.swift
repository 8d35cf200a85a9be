import Foundation
import Hummingbird
import MinibotCore

extension APIRoutes {
    /// `GET /api/v2/workers/NAME/timeline`: the data of the worker page's picture. `timeline`
    /// is what a plugin foresees of the next 7 days (null without one): `{from, to, bands:
    /// [{start, end, state, source, label}], max_load, resume_load, max_cpu_pressure}`; `load`
    /// is the past day in 5-minute buckets, oldest first: `{start, max, last, max_cpu_pressure,
    /// last_cpu_pressure}`. Times are epoch seconds.
    func timeline(worker name: String) async -> Response {
        let now = runtime.clock.now()
        guard let history = await runtime.registry.loadHistory(name, before: now) else {
            return APIJSON.error(.notFound, "no worker named \(name)")
        }
        let timeline = await WebRoutes.timeline(runtime, worker: name, now: now)
        let load: [JSONValue] = history.map { b in
            .object(["start": .number(b.start.timeIntervalSince1970), "max": .number(b.maxLoad), "last": .number(b.lastLoad),
                     "max_cpu_pressure": b.maxPressure.map(JSONValue.number) ?? .null,
                     "last_cpu_pressure": b.lastPressure.map(JSONValue.number) ?? .null])
        }
        return APIJSON.response(JSONValue.object(["worker": .string(name), "timeline": timeline?.json ?? .null,
                                                  "load": .array(load)]))
    }
}
