import Foundation
import MinibotCore
import MinibotHostFacts

/// Recorded load as the simulator reads it: the master's answer to
/// `GET /api/v2/workers/NAME/samples` (also as a saved file, or what `minibot-agent samples`
/// prints), or a flight recorder's own file.
///
/// Hostile input is expected (a file from anywhere): the size and the sample count are
/// bounded, a sample with a time or figure out of range is refused with its position, and
/// missing figures stay missing.
public enum SimulationTrace {
    /// Larger inputs are refused before they are parsed.
    public static let maxBytes = 64 << 20
    /// More than a recorder's week (60,480 samples, one per 10 s).
    public static let maxSamples = 100_000
    /// Sample times are seconds since 1970 within this range (year 9999 at most).
    public static let timeRange: ClosedRange<Double> = 0...253_402_300_799

    /// The samples of a JSON document `{"samples": [{"time", "load1", …}]}`, oldest first.
    ///
    /// Parsed with `JSONSerialization` into ``JSONValue``: a week of samples is ~10 MB, which
    /// `JSONDecoder` takes half a minute to turn into a `JSONValue`.
    public static func samples(json data: Data) throws(SimulationInputError) -> [LoadSample] {
        try samples(document: decode(data, "the trace"))
    }

    /// A parsed JSON object as a ``JSONValue``; nil past a nesting of 8 (a trace is 3 deep).
    static func value(_ object: Any, depth: Int) -> JSONValue? {
        guard depth < 8 else { return nil }
        switch object {
        case let string as String: return .string(string)
        case let number as NSNumber: return .number(number.doubleValue)
        case let array as [Any]:
            var list: [JSONValue] = []
            list.reserveCapacity(array.count)
            for item in array {
                guard let v = value(item, depth: depth + 1) else { return nil }
                list.append(v)
            }
            return .array(list)
        case let dictionary as [String: Any]:
            var fields: [String: JSONValue] = [:]
            for (key, item) in dictionary {
                guard let v = value(item, depth: depth + 1) else { return nil }
                fields[key] = v
            }
            return .object(fields)
        default: return .null
        }
    }

    /// The samples of the decoded document (the client's answer), oldest first.
    public static func samples(document: JSONValue) throws(SimulationInputError) -> [LoadSample] {
        guard case .array(let list)? = document["samples"] else {
            throw SimulationInputError("the trace has no \"samples\" list")
        }
        guard list.count <= maxSamples else { throw SimulationInputError("the trace has more than \(maxSamples) samples") }
        var samples: [LoadSample] = []
        samples.reserveCapacity(list.count)
        for (i, item) in list.enumerated() {
            samples.append(try sample(item, at: i))
        }
        return samples.sorted { $0.time < $1.time }
    }

    /// A JSON document of at most ``maxBytes``; `what` names it in the error.
    static func decode(_ data: Data, _ what: String) throws(SimulationInputError) -> JSONValue {
        guard data.count <= maxBytes else { throw SimulationInputError("\(what) is larger than \(maxBytes >> 20) MiB") }
        guard let object = try? JSONSerialization.jsonObject(with: data), let document = value(object, depth: 0) else {
            throw SimulationInputError("\(what) is not JSON")
        }
        return document
    }

    private static func sample(_ item: JSONValue, at i: Int) throws(SimulationInputError) -> LoadSample {
        func optional(_ key: String, _ range: ClosedRange<Double>) throws(SimulationInputError) -> Double? {
            guard let value = item[key], value != .null else { return nil }
            guard let number = value.number(in: range) else {
                throw SimulationInputError("sample \(i + 1): \"\(key)\" must be null or a number in \(range.lowerBound)...\(range.upperBound)")
            }
            return number
        }
        guard let time = item["time"]?.number(in: timeRange) else {
            throw SimulationInputError("sample \(i + 1): \"time\" must be seconds since 1970")
        }
        guard let load1 = try optional("load1", LoadBounds.load) else {
            throw SimulationInputError("sample \(i + 1): \"load1\" is missing")
        }
        return LoadSample(load1: load1, load5: try optional("load5", LoadBounds.load) ?? load1,
                          load15: try optional("load15", LoadBounds.load) ?? load1,
                          cpuPressureSome10: try optional("cpu_pressure", LoadBounds.pressure),
                          memoryPressureSome10: try optional("memory_pressure", LoadBounds.pressure),
                          ioPressureSome10: try optional("io_pressure", LoadBounds.pressure),
                          memAvailableBytes: try optional("free_memory", LoadBounds.memory),
                          time: Date(timeIntervalSince1970: time))
    }

    /// The samples in a file: the JSON above, or a flight recorder's file (`samples.mbfr`).
    public static func load(path: String) throws(SimulationInputError) -> [LoadSample] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw SimulationInputError("\(path): cannot be read") }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maxBytes + 1) ?? Data()
        } catch {
            throw SimulationInputError("\(path): \(error.localizedDescription)")
        }
        if data.starts(with: FlightRecorderHeader.magic) {
            do {
                return try FlightRecorder.samples(inFile: path)
            } catch {
                throw SimulationInputError("\(path): \(error)")
            }
        }
        let first = data.first { !Set<UInt8>([0x20, 0x09, 0x0a, 0x0d]).contains($0) }
        guard first == UInt8(ascii: "{") else {
            throw SimulationInputError("\(path): not a trace (expected a flight recorder file or the JSON of GET /api/v2/workers/NAME/samples)")
        }
        do {
            return try samples(json: data)
        } catch {
            throw SimulationInputError("\(path): \(error.message)")
        }
    }
}
