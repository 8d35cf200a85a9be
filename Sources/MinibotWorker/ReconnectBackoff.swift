/// Capped exponential backoff between connection attempts: 1 s doubling to 30 s, back to
/// the start after a successful `welcome`.
///
/// A pure value: the worker asks it for the next delay and sleeps on its own clock, so
/// tests read the delays without waiting for them.
public struct ReconnectBackoff: Sendable, Equatable {
    public struct Configuration: Sendable, Equatable {
        public var initial: Duration
        public var maximum: Duration

        public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(30)) {
            self.initial = initial
            self.maximum = max(initial, maximum)
        }
    }

    public let configuration: Configuration
    private var next: Duration

    public init(_ configuration: Configuration = .init()) {
        self.configuration = configuration
        self.next = configuration.initial
    }

    /// The delay before the next attempt; each call doubles the following one up to the cap.
    public mutating func nextDelay() -> Duration {
        let delay = next
        next = min(next * 2, configuration.maximum)
        return delay
    }

    /// Called after a welcome: the next failure waits the initial delay again.
    public mutating func reset() {
        next = configuration.initial
    }
}
