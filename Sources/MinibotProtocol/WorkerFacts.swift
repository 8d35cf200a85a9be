/// Keys of ``WorkerInfo/facts`` that Minibot's own worker reports, with the party that reads
/// each. A stock buildbot-worker reports none of them.
public enum WorkerFacts {
    /// The host agent's unix socket the worker relays to (read by the availability plugin).
    public static let agentSocket = "agent"
}
