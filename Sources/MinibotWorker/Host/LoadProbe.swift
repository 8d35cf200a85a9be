import Foundation
import MinibotCore

/// Reads this host's load for `status` reports.
///
/// A stopgap behind one function, ``sample(loadFile:at:)``: MinibotCore's `LoadReader`
/// (being written separately) replaces it; nothing else in the worker parses /proc.
enum LoadProbe {
    static let loadAverageFile = "/proc/loadavg"
    static let cpuPressureFile = "/proc/pressure/cpu"

    /// The current load, or nil when the load file cannot be read or parsed. `loadFile`
    /// replaces `/proc/loadavg` (same format); CPU pressure is read only from the kernel,
    /// and only when no load file is given, so a test's fake load is not mixed with real
    /// pressure.
    static func sample(loadFile: String?, at time: Date) -> WorkerStatus? {
        guard let text = try? String(contentsOfFile: loadFile ?? loadAverageFile, encoding: .utf8),
              let (load1, load5) = parseLoadAverage(text) else { return nil }
        let pressure = loadFile == nil
            ? (try? String(contentsOfFile: cpuPressureFile, encoding: .utf8)).flatMap(parseCPUPressure)
            : nil
        return WorkerStatus(load1: load1, load5: load5, cpuPressure: pressure, time: time)
    }

    /// `"0.52 0.58 0.59 1/123 4567"` → (0.52, 0.58).
    static func parseLoadAverage(_ text: String) -> (Double, Double)? {
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count >= 2, let one = Double(fields[0]), let five = Double(fields[1]) else { return nil }
        return (one, five)
    }

    /// The `avg10` of the `some` line: `"some avg10=1.23 avg60=… total=…"` → 1.23.
    static func parseCPUPressure(_ text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix("some ") {
            for field in line.split(separator: " ") where field.hasPrefix("avg10=") {
                return Double(field.dropFirst("avg10=".count))
            }
        }
        return nil
    }
}
