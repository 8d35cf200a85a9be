import Foundation
import MinibotHostFacts

/// The master asks a worker for its recorded samples (`fetchSamples`); the worker answers
/// with one or more pages (`samples`), the last with `isLast`. Contract in WorkerWire.swift.
public struct FetchSamples: Sendable, Codable, Equatable {
    /// Echoed in every page, so a late page of an abandoned fetch is told apart.
    public var id: UInt64
    /// Epoch seconds, both ends included.
    public var since: Int64
    public var until: Int64

    public init(id: UInt64, since: Int64, until: Int64) {
        self.id = id
        self.since = since
        self.until = until
    }
}

/// One page of a worker's flight recorder, as compact rows.
///
/// Each row is `[time, load1, load5, load15, cpu, memory, io, free]`: epoch seconds, loads and
/// pressures in hundredths, free memory in KiB, null for a figure the host did not have: the
/// units of ``FlightRecord``, so nothing is lost on the way. At most ``maxRows`` rows, which
/// keeps a page well under `WorkerWire.maxFrameBytes` even with 19-digit numbers everywhere.
public struct SamplesPage: Sendable, Codable, Equatable {
    public static let maxRows = 5_000

    public var id: UInt64
    /// Seconds between samples in the worker's file.
    public var interval: Int
    public var rows: [[Int64?]]
    public var isLast: Bool
    /// Why the worker has nothing to send (its file cannot be read); set on a last page.
    public var error: String?

    public init(id: UInt64, interval: Int, rows: [[Int64?]], isLast: Bool, error: String? = nil) {
        self.id = id
        self.interval = interval
        self.rows = rows
        self.isLast = isLast
        self.error = error
    }

    /// Splits samples into pages of at most ``maxRows`` (one empty last page for none).
    public static func pages(id: UInt64, interval: Int, samples: [LoadSample]) -> [SamplesPage] {
        let rows = samples.compactMap(row)
        let chunks = stride(from: 0, to: max(rows.count, 1), by: maxRows).map { start in
            Array(rows[min(start, rows.count)..<min(start + maxRows, rows.count)])
        }
        return chunks.enumerated().map { index, chunk in
            SamplesPage(id: id, interval: interval, rows: chunk, isLast: index == chunks.count - 1)
        }
    }

    /// A sample's row, in the recorder's units; nil for one the recorder could not store.
    static func row(_ sample: LoadSample) -> [Int64?]? {
        guard let r = FlightRecord(sample) else { return nil }
        func pressure(_ p: UInt16) -> Int64? { p == 0xFFFF ? nil : Int64(p) }
        return [Int64(r.time), Int64(r.load1), Int64(r.load5), Int64(r.load15),
                pressure(r.cpuPressure), pressure(r.memoryPressure), pressure(r.ioPressure),
                r.freeMemoryKiB == .max ? nil : Int64(exactly: r.freeMemoryKiB)]
    }

    /// The rows as samples; a row that is not 8 figures within their ranges is dropped (the
    /// worker's word is checked like any other input).
    public var samples: [LoadSample] {
        rows.compactMap { row in
            guard row.count == 8, let time = row[0], (1...Int64(UInt32.max)).contains(time),
                  let l1 = row[1], let l5 = row[2], let l15 = row[3] else { return nil }
            let loads = 0...Int64(UInt32.max)
            guard loads.contains(l1), loads.contains(l5), loads.contains(l15) else { return nil }
            var pressures: [Double?] = []
            for p in row[4...6] {
                guard let p else { pressures.append(nil); continue }
                guard (0...10_000).contains(p) else { return nil }
                pressures.append(Double(p) / 100)
            }
            var free: Double?
            if let kib = row[7] {
                guard (0...(Int64(1) << 50)).contains(kib) else { return nil }
                free = Double(kib) * 1024
            }
            return LoadSample(load1: Double(l1) / 100, load5: Double(l5) / 100, load15: Double(l15) / 100,
                              cpuPressureSome10: pressures[0], memoryPressureSome10: pressures[1],
                              ioPressureSome10: pressures[2], memAvailableBytes: free,
                              time: Date(timeIntervalSince1970: Double(time)))
        }
    }
}
