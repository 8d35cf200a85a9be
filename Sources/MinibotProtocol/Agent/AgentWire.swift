import Foundation

// MARK: - The worker ↔ host agent contract
//
// Transport: JSON lines over the agent's unix socket (`LineChannel`): one object per line, with a
// `"type"` discriminator and the payload's fields beside it, dates as ISO-8601 UTC strings,
// durations as seconds. Who may connect is decided by the socket file's mode and owner
// (`socket_mode`, default 0660: the agent's user and group; add worker users to that group).
// The agent is never exposed to the network: workers relay between it and their masters.
//
// Flow (one worker connection; several masters' builders may share it):
//
//     worker                                   agent
//     hello {id, version, client}        ──▶
//                                        ◀──   welcome {replyTo, agent, slots, leaseTTL, offerTimeout, recoveringUntil?}
//     reregister {id, lease, token, …}   ──▶   (only after a reconnect, for each lease still held)
//                                        ◀──   renewed {replyTo, …} | refused {replyTo, code, message}
//     subscribe {id, subscription, master, worker, builder, priority, since?}  ──▶
//                                        ◀──   ok {replyTo}
//                                        ◀──   waiting {subscription, reason, until?}   (whenever the reason changes)
//                                        ◀──   offer {offer, subscription, expiresAt}    (one offer on the whole host at a time)
//     claim {id, offer, build}           ──▶                                             (before expiresAt)
//                                        ◀──   lease {replyTo, lease}                    (the build may start now)
//     renew {id, lease, token}           ──▶   every leaseTTL/3 while the build runs
//                                        ◀──   renewed {replyTo, lease, token, expiresAt}
//     release {id, lease, token}         ──▶   when the build ends, whatever its result
//                                        ◀──   ok {replyTo}
//
// Requests carry a client-chosen `id`; every request gets exactly one reply carrying it as
// `replyTo`: `welcome` (hello), `lease` (claim), `renewed` (renew, reregister), `status` (status),
// otherwise `ok`, or `refused` for any request the agent will not do. Events without `replyTo`
// (`waiting`, `offer`, `offerWithdrawn`, `leaseExpired`) are unsolicited.
//
// Errors: a refusal is a value, not a dropped connection. Codes: `not_hello` (first message must
// be hello), `version` (unsupported protocol version), `malformed` (line is not a request;
// replyTo is 0), `unknown_offer` (expired, withdrawn or never yours), `unknown_lease` (expired or
// released), `stale_token` (a newer token exists for this lease: you are fenced off),
// `over_capacity` (a re-registration that would exceed the host's slots), `duplicate`.
//
// Offers and first grant wins: an offer is exclusive for `offerTimeout`; unclaimed, it moves on
// (`offerWithdrawn` reason "timed out") to the next subscriber. A master may subscribe through
// several agents: the first offer it claims wins, and the worker then `withdraw`s the other
// subscriptions; an offer that arrives after the master has started elsewhere is `decline`d,
// which also ends that subscription and gives the slot to the next subscriber at once.
// A granted subscription is used up: subscribe again for the next build.
//
// Heartbeats and timeouts: the lease renewals are the heartbeat. A lease not renewed within
// `leaseTTL` expires (`leaseExpired` to the last connection that touched it): a dead worker never
// keeps a slot. Subscriptions and offers live only as long as their connection.
//
// Cancellation: `withdraw` a subscription at any time (also one with an offer out: the offer
// moves on). Release a lease as soon as its build ends.
//
// Restart recovery: `welcome.agent` changes when the agent restarts. A restarted agent whose
// lease ledger (`SOCKET.leases`) lists leases out does not offer for one `leaseTTL`
// (`recoveringUntil`; with none listed it offers at once), during which running builds `reregister` their
// leases (lease, token and the build's identity); it then offers only the slots left over, so it
// never grants more than its slots. A worker that loses the agent reconnects with capped
// exponential backoff, re-registers the leases it holds, and subscribes again.

/// A message from a worker (an `AgentClient`) to the host agent.
///
/// Sent in the order described in the contract above; every case carries the request `id` that
/// the agent's reply echoes as `replyTo`.
public enum AgentRequest: Sendable, Equatable {
    case hello(Hello)
    case subscribe(Subscribe)
    case withdraw(Withdraw)
    case claim(Claim)
    case decline(Decline)
    case renew(LeaseRef)
    case release(LeaseRef)
    case reregister(Reregister)
    case status(StatusQuery)

    /// The protocol version this build speaks.
    public static let protocolVersion = 1

    /// The request id that the reply will carry as `replyTo`.
    public var id: Int {
        switch self {
        case .hello(let m): m.id
        case .subscribe(let m): m.id
        case .withdraw(let m): m.id
        case .claim(let m): m.id
        case .decline(let m): m.id
        case .renew(let m), .release(let m): m.id
        case .reregister(let m): m.id
        case .status(let m): m.id
        }
    }

    /// First message on a connection.
    public struct Hello: Codable, Sendable, Equatable {
        public var id: Int
        public var version: Int
        /// Who is connecting, for logs and status (usually the worker's name).
        public var client: String
        public init(id: Int, version: Int = AgentRequest.protocolVersion, client: String) {
            self.id = id; self.version = version; self.client = client
        }
    }

    /// "Builder `builder` of master `master` wants to run on worker `worker`, on this host."
    public struct Subscribe: Codable, Sendable, Equatable {
        public var id: Int
        /// Chosen by the client, unique on its connection; subscribing again with the same name
        /// updates the subscription and keeps its age.
        public var subscription: String
        public var master: String
        public var worker: String
        public var builder: String
        /// Higher is served first among this master's subscriptions (the master's own scale).
        public var priority: Int
        /// When the master's build request was submitted; its age orders equal priorities.
        /// Defaults to the time the agent saw the subscription; future times are clamped to now.
        public var since: Date?
        public init(id: Int, subscription: String, master: String, worker: String, builder: String,
                    priority: Int = 0, since: Date? = nil) {
            self.id = id; self.subscription = subscription; self.master = master; self.worker = worker
            self.builder = builder; self.priority = priority; self.since = since
        }
    }

    /// Ends a subscription (and gives back its offer, if one is out).
    public struct Withdraw: Codable, Sendable, Equatable {
        public var id: Int
        public var subscription: String
        public init(id: Int, subscription: String) { self.id = id; self.subscription = subscription }
    }

    /// Takes an offered slot for build `build` (the master's build id or name, shown in status).
    public struct Claim: Codable, Sendable, Equatable {
        public var id: Int
        public var offer: UInt64
        public var build: String
        public init(id: Int, offer: UInt64, build: String) { self.id = id; self.offer = offer; self.build = build }
    }

    /// Refuses an offer (the master started elsewhere); also ends the offer's subscription.
    public struct Decline: Codable, Sendable, Equatable {
        public var id: Int
        public var offer: UInt64
        public init(id: Int, offer: UInt64) { self.id = id; self.offer = offer }
    }

    /// Names a lease by id and fencing token (renew, release).
    public struct LeaseRef: Codable, Sendable, Equatable {
        public var id: Int
        public var lease: String
        public var token: UInt64
        public init(id: Int, lease: String, token: UInt64) { self.id = id; self.lease = lease; self.token = token }
    }

    /// Re-announces a lease held from before a reconnect or an agent restart.
    public struct Reregister: Codable, Sendable, Equatable {
        public var id: Int
        public var lease: AgentLease
        public init(id: Int, lease: AgentLease) { self.id = id; self.lease = lease }
    }

    /// Asks for the agent's status report.
    public struct StatusQuery: Codable, Sendable, Equatable {
        public var id: Int
        public init(id: Int) { self.id = id }
    }
}

/// A message from the host agent to a worker.
///
/// Replies carry `replyTo`; `waiting`, `offer`, `offerWithdrawn` and `leaseExpired` are events.
public enum AgentEvent: Sendable, Equatable {
    case welcome(Welcome)
    case ok(Ok)
    case refused(Refused)
    case waiting(Waiting)
    case offer(Offer)
    case offerWithdrawn(OfferWithdrawn)
    case lease(Granted)
    case renewed(Renewed)
    case leaseExpired(LeaseExpired)
    case status(StatusReply)

    /// Reply to hello.
    public struct Welcome: Codable, Sendable, Equatable {
        public var replyTo: Int
        public var version: Int
        /// Changes at every agent start: a client that sees a new value knows the agent restarted.
        public var agent: String
        public var slots: Int
        public var leaseTTL: Double
        public var offerTimeout: Double
        /// Set while a restarted agent accepts re-registrations and makes no offers.
        public var recoveringUntil: Date?
        public init(replyTo: Int, version: Int = AgentRequest.protocolVersion, agent: String, slots: Int,
                    leaseTTL: Double, offerTimeout: Double, recoveringUntil: Date?) {
            self.replyTo = replyTo; self.version = version; self.agent = agent; self.slots = slots
            self.leaseTTL = leaseTTL; self.offerTimeout = offerTimeout; self.recoveringUntil = recoveringUntil
        }
    }

    /// The request was done.
    public struct Ok: Codable, Sendable, Equatable {
        public var replyTo: Int
        public init(replyTo: Int) { self.replyTo = replyTo }
    }

    /// The request was not done; `code` is one of the contract's error codes.
    public struct Refused: Codable, Sendable, Equatable {
        public var replyTo: Int
        public var code: String
        public var message: String
        public init(replyTo: Int, code: String, message: String) {
            self.replyTo = replyTo; self.code = code; self.message = message
        }
    }

    /// Why a subscription waits, e.g. "load 3.4 > 3.0", "settling 18 s".
    public struct Waiting: Codable, Sendable, Equatable {
        public var subscription: String
        public var reason: String
        /// When the reason is expected to end, where the agent knows.
        public var until: Date?
        public init(subscription: String, reason: String, until: Date?) {
            self.subscription = subscription; self.reason = reason; self.until = until
        }
    }

    /// A slot is yours if you claim it before `expiresAt`.
    public struct Offer: Codable, Sendable, Equatable {
        public var offer: UInt64
        public var subscription: String
        public var expiresAt: Date
        public init(offer: UInt64, subscription: String, expiresAt: Date) {
            self.offer = offer; self.subscription = subscription; self.expiresAt = expiresAt
        }
    }

    /// An offer is no longer valid (timed out, or the host became unavailable).
    public struct OfferWithdrawn: Codable, Sendable, Equatable {
        public var offer: UInt64
        public var subscription: String
        public var reason: String
        public init(offer: UInt64, subscription: String, reason: String) {
            self.offer = offer; self.subscription = subscription; self.reason = reason
        }
    }

    /// Reply to claim: the build may start.
    public struct Granted: Codable, Sendable, Equatable {
        public var replyTo: Int
        public var lease: AgentLease
        public init(replyTo: Int, lease: AgentLease) { self.replyTo = replyTo; self.lease = lease }
    }

    /// Reply to renew or reregister: the lease now expires at `expiresAt`.
    public struct Renewed: Codable, Sendable, Equatable {
        public var replyTo: Int
        public var lease: String
        public var token: UInt64
        public var expiresAt: Date
        public init(replyTo: Int, lease: String, token: UInt64, expiresAt: Date) {
            self.replyTo = replyTo; self.lease = lease; self.token = token; self.expiresAt = expiresAt
        }
    }

    /// A lease was not renewed in time and its slot is free again; stop or fail the build.
    public struct LeaseExpired: Codable, Sendable, Equatable {
        public var lease: String
        public var token: UInt64
        public init(lease: String, token: UInt64) { self.lease = lease; self.token = token }
    }

    /// Reply to status.
    public struct StatusReply: Codable, Sendable, Equatable {
        public var replyTo: Int
        public var report: AgentStatus
        public init(replyTo: Int, report: AgentStatus) { self.replyTo = replyTo; self.report = report }
    }

    /// The request this event answers, or nil for unsolicited events.
    public var replyTo: Int? {
        switch self {
        case .welcome(let m): m.replyTo
        case .ok(let m): m.replyTo
        case .refused(let m): m.replyTo
        case .lease(let m): m.replyTo
        case .renewed(let m): m.replyTo
        case .status(let m): m.replyTo
        case .waiting, .offer, .offerWithdrawn, .leaseExpired: nil
        }
    }
}

/// A granted build slot: who holds it, for which build, and its fencing token.
///
/// The token grows with every grant on a host (also across agent restarts): a holder whose
/// lease expired and was granted again to someone else is recognised by its older token.
public struct AgentLease: Codable, Sendable, Equatable, Hashable {
    public var lease: String
    public var token: UInt64
    public var master: String
    public var worker: String
    public var builder: String
    public var build: String
    /// When the slot was granted.
    public var since: Date
    /// When the lease expires unless renewed.
    public var expiresAt: Date

    public init(lease: String, token: UInt64, master: String, worker: String, builder: String,
                build: String, since: Date, expiresAt: Date) {
        self.lease = lease; self.token = token; self.master = master; self.worker = worker
        self.builder = builder; self.build = build; self.since = since; self.expiresAt = expiresAt
    }
}
