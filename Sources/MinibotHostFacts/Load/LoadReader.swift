import Foundation

/// Reads the host's load from `/proc/loadavg` (and `/proc/pressure/cpu` when present), or from
/// a file of the same format.
///
/// Used at the edges only: the agent's sampling loop and the worker's load report. It does
/// blocking file reads of a few bytes, which is fine on any isolation. A load file (for tests,
/// or to drive the agent from another source) holds one `/proc/loadavg` line, optionally
/// followed by a `/proc/pressure/cpu`-style `some avg10=…` line.
public struct LoadReader: Sendable {
    /// Where samples come from.
    public enum Source: Sendable, Equatable {
        /// `/proc/loadavg` and, when the kernel has PSI, `/proc/pressure/cpu`.
        case proc
        /// A file in `/proc/loadavg` format, optionally with a pressure line.
        case file(String)
    }

    public let source: Source

    public init(source: Source = .proc) {
        self.source = source
    }

    /// Reads one sample, stamped with `time` (the caller's clock, not the file's).
    public func read(at time: Date) throws -> LoadSample {
        switch source {
        case .proc:
            let text = try Self.contents(of: "/proc/loadavg")
            guard let averages = Self.parseLoadAverage(text) else {
                throw LoadReaderError(message: "/proc/loadavg: cannot parse \(text.prefix(80).debugDescription)")
            }
            // PSI is optional: older kernels and some containers do not have it.
            let pressure = (try? Self.contents(of: "/proc/pressure/cpu")).flatMap(Self.parsePressureSomeAvg10)
            return LoadSample(load1: averages.0, load5: averages.1, load15: averages.2,
                              cpuPressureSome10: pressure, time: time)
        case .file(let path):
            let text = try Self.contents(of: path)
            guard let averages = Self.parseLoadAverage(text) else {
                throw LoadReaderError(message: "\(path): expected /proc/loadavg format, e.g. \"0.52 0.40 0.31 1/123 4567\"")
            }
            return LoadSample(load1: averages.0, load5: averages.1, load15: averages.2,
                              cpuPressureSome10: Self.parsePressureSomeAvg10(text), time: time)
        }
    }

    /// Parses the first three fields of a `/proc/loadavg` line ("0.52 0.40 0.31 1/123 4567").
    public static func parseLoadAverage(_ text: String) -> (Double, Double, Double)? {
        guard let line = text.split(whereSeparator: \.isNewline).first else { return nil }
        let fields = line.split(whereSeparator: \.isWhitespace).prefix(3).compactMap { Double($0) }
        guard fields.count == 3, fields.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return nil }
        return (fields[0], fields[1], fields[2])
    }

    /// Parses `avg10` of the `some` line of `/proc/pressure/cpu`
    /// ("some avg10=1.23 avg60=0.50 avg300=0.10 total=12345").
    public static func parsePressureSomeAvg10(_ text: String) -> Double? {
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard fields.first == "some" else { continue }
            for field in fields.dropFirst() where field.hasPrefix("avg10=") {
                if let value = Double(field.dropFirst("avg10=".count)), value.isFinite, value >= 0 {
                    return value
                }
            }
        }
        return nil
    }

    private static func contents(of path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw LoadReaderError(message: "\(path): cannot read (\(error.localizedDescription))")
        }
    }
}

/// Why a load sample could not be read; the message names the file.
public struct LoadReaderError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
