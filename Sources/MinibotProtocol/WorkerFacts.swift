/// Keys of ``WorkerInfo/facts`` that Minibot's own worker reports, with the party that reads
/// each. A stock buildbot-worker reports none of them.
public enum WorkerFacts {
    /// The host agent's unix socket the worker relays to (read by the availability plugin).
    public static let agentSocket = "agent"
    /// Present when the worker keeps a flight recorder and answers `fetchSamples` (read by the
    /// master's samples API); the value is the interval between samples, in seconds.
    public static let samples = "samples"
}
