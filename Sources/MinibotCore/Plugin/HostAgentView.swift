import Foundation

/// What a plugin knows of one worker's host agent, for the hosts page: the link to the agent
/// as the worker's relay last reported it, the slots the agent announced, the leases this
/// master holds through the worker and the subscriptions still waiting for a slot.
public struct HostAgentView: Sendable, Equatable {
    /// The link between the worker's relay and its agent.
    public enum Link: Sendable, Equatable {
        /// Nothing heard from the relay yet.
        case unknown
        case connected
        case unreachable(reason: String)
    }

    /// A slot this master holds: the lease and the request whose build uses it.
    public struct Lease: Sendable, Equatable {
        public var lease: String
        public var requestID: Int64?

        public init(lease: String, requestID: Int64?) {
            self.lease = lease
            self.requestID = requestID
        }
    }

    /// A request waiting for a slot, with the agent's latest reason and predicted end.
    public struct Waiting: Sendable, Equatable {
        public var requestID: Int64
        public var reason: String
        public var until: Date?

        public init(requestID: Int64, reason: String, until: Date?) {
            self.requestID = requestID
            self.reason = reason
            self.until = until
        }
    }

    public var worker: String
    /// The agent's socket on the host, as the worker reported it.
    public var agent: String
    public var hostname: String
    public var link: Link
    /// As the agent announced them when the relay connected; nil: not announced yet.
    public var slots: Int?
    public var leases: [Lease]
    public var waiting: [Waiting]

    public init(worker: String, agent: String, hostname: String, link: Link, slots: Int?, leases: [Lease],
                waiting: [Waiting]) {
        self.worker = worker
        self.agent = agent
        self.hostname = hostname
        self.link = link
        self.slots = slots
        self.leases = leases
        self.waiting = waiting
    }
}
