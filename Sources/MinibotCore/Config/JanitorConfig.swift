/// `janitor:` — housekeeping of old builds (Buildbot's `logHorizon` and
/// `build_data_horizon`).
///
/// Logs are most of the database: `keep_logs` deletes them and leaves the builds, steps and
/// results (a step whose log was deleted reads as a one-line note saying so). `keep_builds`
/// deletes whole buildsets, their requests, builds, steps and logs, once all of them ended
/// longer ago; changes stay, and so does each builder's newest build.
public struct JanitorConfig: Sendable, Equatable {
    /// Logs of builds that ended longer ago than this are deleted (`keep_logs`); nil keeps
    /// logs forever.
    public var logHorizon: Double?
    /// Builds that ended longer ago than this are deleted (`keep_builds`); nil keeps them.
    public var buildHorizon: Double?
    /// How often the janitor looks, in seconds.
    public var interval: Double

    public static let defaultInterval: Double = 3600

    public init(logHorizon: Double? = nil, buildHorizon: Double? = nil, interval: Double = JanitorConfig.defaultInterval) {
        self.logHorizon = logHorizon
        self.buildHorizon = buildHorizon
        self.interval = interval
    }
}
