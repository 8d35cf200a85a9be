import Foundation

/// Reads the host's load from `/proc/loadavg` (and, when present, `/proc/pressure/cpu`,
/// `/proc/pressure/memory`, `/proc/pressure/io` and `/proc/meminfo`), or from a file.
///
/// Used at the edges only: the agent's sampling loop and the worker's load report. It does
/// blocking file reads of a few kilobytes, which is fine on any isolation. A load file (for
/// tests, or to drive the agent from another source) holds one `/proc/loadavg` line, optionally
/// followed by any of these lines, in any order (older files, with the first two lines only,
/// read as before):
///
/// ```
/// 0.52 0.40 0.31 1/123 4567
/// some avg10=1.23 avg60=0.50 avg300=0.10 total=12345          (cpu pressure)
/// memory some avg10=23.40 avg60=5.00 avg300=1.00 total=999    (memory pressure)
/// io some avg10=0.10 avg60=0.00 avg300=0.00 total=1           (io pressure)
/// MemAvailable:    2097152 kB                                 (free memory)
/// ```
///
/// Every parser is total: malformed, truncated or absurd text gives nil, never a trap.
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
            func pressure(_ name: String) -> Double? {
                (try? Self.contents(of: "/proc/pressure/\(name)")).flatMap { Self.parsePressureSomeAvg10($0) }
            }
            return LoadSample(load1: averages.0, load5: averages.1, load15: averages.2,
                              cpuPressureSome10: pressure("cpu"), memoryPressureSome10: pressure("memory"),
                              ioPressureSome10: pressure("io"),
                              memAvailableBytes: (try? Self.contents(of: "/proc/meminfo")).flatMap(Self.parseMemAvailable),
                              time: time)
        case .file(let path):
            let text = try Self.contents(of: path)
            guard let averages = Self.parseLoadAverage(text) else {
                throw LoadReaderError(message: "\(path): expected /proc/loadavg format, e.g. \"0.52 0.40 0.31 1/123 4567\"")
            }
            return LoadSample(load1: averages.0, load5: averages.1, load15: averages.2,
                              cpuPressureSome10: Self.parsePressureSomeAvg10(text),
                              memoryPressureSome10: Self.parsePressureSomeAvg10(text, prefix: "memory"),
                              ioPressureSome10: Self.parsePressureSomeAvg10(text, prefix: "io"),
                              memAvailableBytes: Self.parseMemAvailable(text), time: time)
        }
    }

    /// Parses the first three fields of a `/proc/loadavg` line ("0.52 0.40 0.31 1/123 4567").
    public static func parseLoadAverage(_ text: String) -> (Double, Double, Double)? {
        guard let line = text.split(whereSeparator: \.isNewline).first else { return nil }
        let fields = line.split(whereSeparator: \.isWhitespace).prefix(3).compactMap { Double($0) }
        guard fields.count == 3, fields.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return nil }
        return (fields[0], fields[1], fields[2])
    }

    /// Parses `avg10` of the `some` line of a `/proc/pressure/` file
    /// ("some avg10=1.23 avg60=0.50 avg300=0.10 total=12345"): finite and not negative; the
    /// caller holds it to 0–100 (`LoadBounds`, which says what to do with more). With a
    /// `prefix`, only a line that starts with it counts (`memory some avg10=…` in a load file).
    public static func parsePressureSomeAvg10(_ text: String, prefix: String? = nil) -> Double? {
        for line in text.split(whereSeparator: \.isNewline) {
            var fields = line.split(whereSeparator: \.isWhitespace)[...]
            if let prefix {
                guard fields.first.map(String.init) == prefix else { continue }
                fields = fields.dropFirst()
            }
            guard fields.first == "some" else { continue }
            for field in fields.dropFirst() where field.hasPrefix("avg10=") {
                if let value = Double(field.dropFirst("avg10=".count)), value.isFinite, value >= 0 {
                    return value
                }
            }
        }
        return nil
    }

    /// The largest `MemAvailable` taken seriously: 1 PiB, in bytes (exact as a `Double`).
    public static let maxMemAvailableBytes: Double = 1_125_899_906_842_624

    /// Parses the `MemAvailable:` line of `/proc/meminfo` ("MemAvailable:   16307764 kB") into
    /// bytes. Digits only, in kB, at most ``maxMemAvailableBytes``.
    public static func parseMemAvailable(_ text: String) -> Double? {
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard fields.count == 3, fields[0] == "MemAvailable:", fields[2] == "kB" else { continue }
            let digits = fields[1]
            guard digits.utf8.count <= 16, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let kilobytes = UInt64(digits) else { return nil }
            let bytes = Double(kilobytes) * 1024
            return bytes <= maxMemAvailableBytes ? bytes : nil
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
