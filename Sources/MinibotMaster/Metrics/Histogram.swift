/// A Prometheus histogram's counts: cumulative buckets, a sum and a count. Pure.
struct Histogram: Sendable, Equatable {
    /// Upper bounds in seconds, for build durations (a second to two hours).
    static let buildBounds: [Double] = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200]

    /// Upper bounds in seconds for the distributor's passes (50 µs to a second).
    static let passBounds: [Double] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1]

    let bounds: [Double]
    private(set) var counts: [Int]
    private(set) var sum = 0.0
    private(set) var count = 0

    init(bounds: [Double] = Histogram.buildBounds) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count)
    }

    mutating func observe(_ value: Double) {
        guard value.isFinite else { return }
        for (i, bound) in bounds.enumerated() where value <= bound { counts[i] += 1 }
        sum += value
        count += 1
    }

    /// The series of `name` with `labels`: `_bucket{le=…}` (cumulative, `+Inf` last), `_sum`, `_count`.
    func series(_ labels: [(String, String)]) -> (buckets: [(labels: [(String, String)], value: Double)],
                                                  sum: Double, count: Double) {
        var buckets = zip(bounds, counts).map { (labels + [("le", PrometheusText.number($0.0))], Double($0.1)) }
        buckets.append((labels + [("le", "+Inf")], Double(count)))
        return (buckets, sum, Double(count))
    }
}
