/// `janitor:` — housekeeping of old builds' logs (Buildbot's `logHorizon`).
///
/// Logs are most of the database; builds, steps and results stay (they are small and make
/// the history). A step whose log was deleted reads as a one-line note saying so.
public struct JanitorConfig: Sendable, Equatable {
    /// Logs of builds that ended longer ago than this are deleted; nil keeps logs forever.
    public var logHorizon: Double?
    /// How often the janitor looks, in seconds.
    public var interval: Double

    public static let defaultInterval: Double = 3600

    public init(logHorizon: Double? = nil, interval: Double = JanitorConfig.defaultInterval) {
        self.logHorizon = logHorizon
        self.interval = interval
    }
}
