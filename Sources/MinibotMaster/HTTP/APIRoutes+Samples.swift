import Foundation
import Hummingbird
import MinibotCore
import MinibotHostFacts

extension APIRoutes {
    /// `GET /api/v2/workers/NAME/samples?since=EPOCH&until=EPOCH`: the worker's flight
    /// recorder, fetched from it now (``WorkerSamples``). `until` defaults to now, `since` to a
    /// day before `until`, and at most 7 days are returned:
    /// `{"worker", "interval", "samples": [{time, load1, load5, load15, cpu_pressure,
    /// memory_pressure, io_pressure, free_memory}], "source": "worker"}`, figures the host did
    /// not have as null, free memory in bytes.
    func samples(_ request: Request, worker name: String) async throws -> Response {
        let query = request.apiQuery
        let until = try query.epoch("until") ?? runtime.clock.now()
        let since = try query.epoch("since") ?? until.addingTimeInterval(-86_400)
        guard since <= until else { throw BadQuery("since must not be after until") }
        switch await WorkerSamples.fetch(runtime.registry, worker: name, since: since, until: until) {
        case .failure(let refusal):
            return APIJSON.error(refusal.status, refusal.message)
        case .success(let found):
            let document = SamplesDocument(worker: name, interval: found.interval, samples: found.samples, source: "worker")
            return APIJSON.raw(try document.data())
        }
    }
}
