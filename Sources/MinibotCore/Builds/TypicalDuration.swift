import Foundation

/// How long a builder's builds usually take: the median duration of its recent successful
/// (passing) builds, as Laminar and Buildbarn estimate. One rule for the home page's
/// "typical" column, a running build's progress and ``StartEstimator``.
public enum TypicalDuration {
    /// The median of `builds`' durations, counting finished passing builds only; nil when
    /// there is none.
    public static func of(_ builds: [Build]) -> TimeInterval? {
        median(builds.compactMap { b -> TimeInterval? in
            guard b.results?.isPassing == true, let end = b.completedAt else { return nil }
            let seconds = end.timeIntervalSince(b.startedAt)
            return seconds.isFinite && seconds >= 0 ? seconds : nil
        })
    }

    /// The median of `values`; nil for none.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
