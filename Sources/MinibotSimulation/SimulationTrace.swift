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
    /// Decoded into plain rows, then checked: a week is ~10 MB of JSON, which takes half a
    /// minute to become a tree of ``JSONValue``s and about a second (release build) to become rows.
    public static func samples(json data: Data) throws(SimulationInputError) -> [LoadSample] {
        let rows = try decode(TraceDocument.self, from: data, "the trace", list: "samples", item: "sample").samples
        guard rows.count <= maxSamples else { throw SimulationInputError("the trace has more than \(maxSamples) samples") }
        var samples: [LoadSample] = []
        samples.reserveCapacity(rows.count)
        for (i, row) in rows.enumerated() {
            samples.append(try row.sample(at: i))
        }
        return samples.sorted { $0.time < $1.time }
    }

    /// A JSON document of at most ``maxBytes`` as `T`; a value of the wrong type is named by
    /// its position in `list` (`sample 3: "load1" must be null or a number`).
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, _ what: String, list: String,
                                     item: String) throws(SimulationInputError) -> T {
        guard data.count <= maxBytes else { throw SimulationInputError("\(what) is larger than \(maxBytes >> 20) MiB") }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.typeMismatch(_, context) {
            throw problem(context.codingPath, what, list: list, item: item, missing: false)
        } catch let DecodingError.valueNotFound(_, context) {
            throw problem(context.codingPath, what, list: list, item: item, missing: false)
        } catch let DecodingError.keyNotFound(key, context) {
            throw problem(context.codingPath + [key], what, list: list, item: item, missing: true)
        } catch {
            throw SimulationInputError("\(what) is not JSON")
        }
    }

    /// What is wrong at `path` in words: the list itself, an item of it, or an item's field.
    private static func problem(_ path: [any CodingKey], _ what: String, list: String, item: String,
                                missing: Bool) -> SimulationInputError {
        guard path.count >= 2, path[0].stringValue == list, let index = path[1].intValue else {
            return SimulationInputError("\(what) has no \"\(list)\" list")
        }
        guard path.count >= 3 else { return SimulationInputError("\(item) \(index + 1) must be an object") }
        let field = "\(item) \(index + 1): \"\(path[2].stringValue)\""
        return SimulationInputError(field + (missing ? " is missing" : " has the wrong type"))
    }

    /// The document's shape; every figure optional, checked by ``Row/sample(at:)``.
    struct TraceDocument: Decodable {
        var samples: [Row]

        struct Row: Decodable {
            var time: Double?
            var load1: Double?
            var load5: Double?
            var load15: Double?
            var cpu_pressure: Double?
            var memory_pressure: Double?
            var io_pressure: Double?
            var free_memory: Double?

            func sample(at i: Int) throws(SimulationInputError) -> LoadSample {
                func checked(_ value: Double?, _ key: String, _ range: ClosedRange<Double>) throws(SimulationInputError) -> Double? {
                    guard let value else { return nil }
                    guard value.isFinite, range.contains(value) else {
                        throw SimulationInputError("sample \(i + 1): \"\(key)\" must be null or a number in \(range.lowerBound)...\(range.upperBound)")
                    }
                    return value
                }
                guard let time, timeRange.contains(time) else {
                    throw SimulationInputError("sample \(i + 1): \"time\" must be seconds since 1970")
                }
                guard let load1 = try checked(load1, "load1", LoadBounds.load) else {
                    throw SimulationInputError("sample \(i + 1): \"load1\" is missing")
                }
                return LoadSample(load1: load1, load5: try checked(load5, "load5", LoadBounds.load) ?? load1,
                                  load15: try checked(load15, "load15", LoadBounds.load) ?? load1,
                                  cpuPressureSome10: try checked(cpu_pressure, "cpu_pressure", LoadBounds.pressure),
                                  memoryPressureSome10: try checked(memory_pressure, "memory_pressure", LoadBounds.pressure),
                                  ioPressureSome10: try checked(io_pressure, "io_pressure", LoadBounds.pressure),
                                  memAvailableBytes: try checked(free_memory, "free_memory", LoadBounds.memory),
                                  time: Date(timeIntervalSince1970: time))
            }
        }
    }

    /// The samples in a file: the JSON above, or a flight recorder's file (`samples.mbfr`).
    public static func load(path: String) throws(SimulationInputError) -> [LoadSample] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SimulationInputError("\(path): cannot be read (\(String(cString: strerror(errno)))); give a recorder file "
                                       + "(BASEDIR/samples.mbfr) or the JSON of GET /api/v2/workers/NAME/samples")
        }
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
