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
            return APIJSON.response(SamplesResponse(worker: name, interval: found.interval,
                                                    samples: found.samples.map(SampleRow.init), source: "worker"))
        }
    }
}

/// The body of the samples API; a client (`minibot availability simulate`) parses these keys.
struct SamplesResponse: Encodable {
    var worker: String
    var interval: Int
    var samples: [SampleRow]
    var source: String
}

/// One sample: whole epoch seconds, free memory in whole bytes, missing figures as null.
struct SampleRow: Encodable {
    var sample: LoadSample

    private enum Keys: String, CodingKey {
        case time, load1, load5, load15, cpuPressure = "cpu_pressure", memoryPressure = "memory_pressure"
        case ioPressure = "io_pressure", freeMemory = "free_memory"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        let time = sample.time.timeIntervalSince1970.rounded(.down)
        try c.encode(time.isFinite ? Int64(min(max(time, 0), 1e15)) : 0, forKey: .time)
        try c.encode(sample.load1, forKey: .load1)
        try c.encode(sample.load5, forKey: .load5)
        try c.encode(sample.load15, forKey: .load15)
        try c.encode(sample.cpuPressureSome10, forKey: .cpuPressure)
        try c.encode(sample.memoryPressureSome10, forKey: .memoryPressure)
        try c.encode(sample.ioPressureSome10, forKey: .ioPressure)
        if let bytes = sample.memAvailableBytes, bytes.isFinite, bytes >= 0 {
            try c.encode(Int64(min(bytes, 1e18)), forKey: .freeMemory)
        } else {
            try c.encodeNil(forKey: .freeMemory)
        }
    }
}
