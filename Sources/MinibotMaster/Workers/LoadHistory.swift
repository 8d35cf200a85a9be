import Foundation

/// One worker's measured load over the past day, in fixed buckets: what the timeline picture
/// draws. Pure value, fed with (time, sample) by ``WorkerRegistry`` with the master's clock.
///
/// Bounded whatever arrives: at most ``capacity`` buckets (one per ``bucketSeconds``, a
/// day's worth), oldest dropped first. A report dated before the newest bucket (the master's
/// clock jumped back) drops the buckets after it, so the history never holds a future.
struct LoadHistory: Sendable, Equatable {
    /// One bucket: the largest and the last figures reported in it.
    struct Bucket: Sendable, Equatable {
        /// The bucket's start, a multiple of ``bucketSeconds`` since the epoch.
        var start: Date
        var maxLoad: Double
        var lastLoad: Double
        var maxPressure: Double?
        var lastPressure: Double?
        var samples: Int
    }

    static let bucketSeconds: Double = 300
    /// How far back the history reaches.
    static let span: Double = 86_400
    static let capacity = Int(span / bucketSeconds)

    /// Oldest first.
    private(set) var buckets: [Bucket] = []

    /// Feeds one report received at `time`. Non-finite or negative figures are ignored (the
    /// wire already bounds them; this type does not rely on it).
    mutating func record(load1: Double, cpuPressure: Double?, at time: Date) {
        let t = time.timeIntervalSince1970
        guard t.isFinite, load1.isFinite, load1 >= 0 else { return }
        let pressure = cpuPressure.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        let start = Date(timeIntervalSince1970: (t / Self.bucketSeconds).rounded(.down) * Self.bucketSeconds)
        while let last = buckets.last, last.start > start { buckets.removeLast() }
        if var last = buckets.last, last.start == start {
            last.maxLoad = max(last.maxLoad, load1)
            last.lastLoad = load1
            if let pressure {
                last.maxPressure = max(last.maxPressure ?? pressure, pressure)
                last.lastPressure = pressure
            }
            last.samples += 1
            buckets[buckets.count - 1] = last
        } else {
            buckets.append(Bucket(start: start, maxLoad: load1, lastLoad: load1, maxPressure: pressure,
                                  lastPressure: pressure, samples: 1))
        }
        let oldest = start.addingTimeInterval(-Self.span)
        let stale = buckets.prefix { $0.start <= oldest }.count
        let excess = max(0, buckets.count - stale - Self.capacity)
        if stale + excess > 0 { buckets.removeFirst(stale + excess) }
    }

    /// The buckets of the day before `now`, oldest first (none from after `now`).
    func buckets(before now: Date) -> [Bucket] {
        let oldest = now.addingTimeInterval(-Self.span)
        return buckets.filter { $0.start > oldest && $0.start <= now }
    }
}
