import Foundation
import MinibotCore
import MinibotHostFacts

/// The agent's state as `minibot-agent status` shows it: slots, leases, queue, load, and why
/// nothing is offered right now. Made by the agent's arbiter, sent in a `status` reply.
public struct AgentStatus: Codable, Sendable, Equatable {
    /// One subscription waiting in the queue, in the order the agent would serve it.
    public struct Queued: Codable, Sendable, Equatable {
        public var subscription: String
        public var master: String
        public var worker: String
        public var builder: String
        public var priority: Int
        public var since: Date
        public var reason: String
        public var until: Date?
        public init(subscription: String, master: String, worker: String, builder: String,
                    priority: Int, since: Date, reason: String, until: Date?) {
            self.subscription = subscription; self.master = master; self.worker = worker
            self.builder = builder; self.priority = priority; self.since = since
            self.reason = reason; self.until = until
        }
    }

    public var agent: String
    public var now: Date
    public var slots: Int
    public var leases: [AgentLease]
    public var offer: AgentEvent.Offer?
    public var queue: [Queued]
    public var load: LoadSample?
    /// Load plus the expected load of recent grants: what the threshold is checked against.
    public var effectiveLoad: Double?
    public var maxLoad: Double?
    public var resumeLoad: Double?
    public var lastGrant: Date?
    public var recoveringUntil: Date?
    /// Why no offer is out now (nil when one is out or nobody waits for one).
    public var blocked: String?
    public var blockedUntil: Date?

    public init(agent: String, now: Date, slots: Int, leases: [AgentLease], offer: AgentEvent.Offer?,
                queue: [Queued], load: LoadSample?, effectiveLoad: Double?, maxLoad: Double?,
                resumeLoad: Double?, lastGrant: Date?, recoveringUntil: Date?, blocked: String?,
                blockedUntil: Date?) {
        self.agent = agent; self.now = now; self.slots = slots; self.leases = leases; self.offer = offer
        self.queue = queue; self.load = load; self.effectiveLoad = effectiveLoad; self.maxLoad = maxLoad
        self.resumeLoad = resumeLoad; self.lastGrant = lastGrant; self.recoveringUntil = recoveringUntil
        self.blocked = blocked; self.blockedUntil = blockedUntil
    }
}
