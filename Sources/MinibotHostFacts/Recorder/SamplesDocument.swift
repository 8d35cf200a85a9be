import Foundation

/// A flight recorder's samples as JSON: the body of `GET /api/v2/workers/NAME/samples` and the
/// output of `minibot-agent samples`, one format for both (`minibot availability simulate`
/// parses these keys):
///
/// ```json
/// {"worker": "w1", "interval": 10, "source": "worker",
///  "samples": [{"time": 1733500000, "load1": 0.5, "load5": 0.4, "load15": 0.3,
///               "cpu_pressure": 1.2, "memory_pressure": 0.0, "io_pressure": null,
///               "free_memory": 8123456789}]}
/// ```
///
/// Times are whole epoch seconds, free memory whole bytes, missing figures null.
public struct SamplesDocument: Encodable, Sendable {
    public var worker: String
    public var interval: Int
    public var samples: [LoadSample]
    /// `worker` (fetched from a worker) or `agent` (read from a host agent's file).
    public var source: String

    public init(worker: String, interval: Int, samples: [LoadSample], source: String) {
        self.worker = worker
        self.interval = interval
        self.samples = samples
        self.source = source
    }

    /// The document as compact JSON with sorted keys.
    public func data() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    private enum Keys: String, CodingKey {
        case worker, interval, samples, source
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(worker, forKey: .worker)
        try c.encode(interval, forKey: .interval)
        try c.encode(samples.map(Row.init), forKey: .samples)
        try c.encode(source, forKey: .source)
    }

    /// One sample, with explicit nulls (synthesised coding would leave the keys out).
    private struct Row: Encodable {
        var sample: LoadSample

        private enum Keys: String, CodingKey {
            case time, load1, load5, load15, cpuPressure = "cpu_pressure", memoryPressure = "memory_pressure"
            case ioPressure = "io_pressure", freeMemory = "free_memory"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(Self.whole(sample.time.timeIntervalSince1970) ?? 0, forKey: .time)
            try c.encode(sample.load1, forKey: .load1)
            try c.encode(sample.load5, forKey: .load5)
            try c.encode(sample.load15, forKey: .load15)
            try c.encode(sample.cpuPressureSome10, forKey: .cpuPressure)
            try c.encode(sample.memoryPressureSome10, forKey: .memoryPressure)
            try c.encode(sample.ioPressureSome10, forKey: .ioPressure)
            try c.encode(sample.memAvailableBytes.flatMap(Self.whole), forKey: .freeMemory)
        }

        /// A finite value ≥ 0 as a whole number, held below 2^62 (no trapping conversion).
        static func whole(_ value: Double) -> Int64? {
            guard value.isFinite, value >= 0 else { return nil }
            return Int64(min(value.rounded(.down), 4.6e18))
        }
    }
}
