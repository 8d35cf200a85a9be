import Foundation
import MinibotCore

// MARK: - The master ↔ worker relay of the host agent
//
// Channel: the worker link's plugin channel `availability` (`plugin(name: "availability",
// payload)` in WorkerWire), shared with the availability plugin's flag messages; every payload
// here has a `type` starting with `agent_`, so the two never collide. The availability plugin
// is the only master-side party of the host agent, hence its channel rather than a new one.
// Dates are ISO-8601 strings, offers are numbers, everything else strings.
//
// Flow (one worker; its master is the only one it relays for):
//
//     master (availability plugin)                     worker (AgentRelay)            agent
//                                          ◀──  agent_connected {agent, slots}         (after every welcome)
//                                          ◀──  agent_unreachable {reason}             (link to the agent lost)
//     agent_subscribe {subscription, master, builder, priority, since}  ──▶  subscribe ──▶
//                                          ◀──  agent_waiting {subscription, reason, until?}
//                                          ◀──  agent_offer {offer, subscription, expiresAt}
//     agent_claim {offer, build}           ──▶  claim ──▶
//                                          ◀──  agent_lease {offer, lease} | agent_lease {offer, error}
//     agent_release {lease}                ──▶  release ──▶   (the build ended, or did not start)
//     agent_withdraw {subscription}        ──▶  withdraw      (the request started elsewhere or went away)
//     agent_decline {offer}                ──▶  decline       (a late offer for a started request)
//                                          ◀──  agent_offer_withdrawn {offer, subscription, reason}
//                                          ◀──  agent_lease_lost {lease, build, reason}
//
// The worker holds and renews the leases (AgentClient does). When its master link drops, the
// worker kills running steps (WorkerWire) and releases every lease and withdraws every
// subscription it holds for that master: the master will not hear of them again, and a slot
// must not wait for `lease_ttl` to come back. Offers that arrive while the master link is down
// are declined at once. On reconnect the master subscribes again for what it still wants.
//
// Errors: a claim the agent refuses (offer expired, agent unreachable) is answered with
// `agent_lease {offer, error}`; the master then waits for the next offer. Messages of an
// unknown `agent_` type are logged and ignored.

/// One relay message between the availability plugin (master) and a worker's `AgentRelay`.
public enum AgentRelayMessage: Sendable, Equatable {
    // master → worker
    case subscribe(subscription: String, master: String, builder: String, priority: Int, since: Date?)
    case withdraw(subscription: String)
    case claim(offer: UInt64, build: String)
    case decline(offer: UInt64)
    case release(lease: String)
    // worker → master
    case connected(agent: String, slots: Int)
    case unreachable(reason: String)
    case waiting(subscription: String, reason: String, until: Date?)
    case offer(offer: UInt64, subscription: String, expiresAt: Date)
    case offerWithdrawn(offer: UInt64, subscription: String, reason: String)
    case lease(offer: UInt64, lease: AgentLease)
    case claimFailed(offer: UInt64, error: String)
    case leaseLost(lease: String, build: String, reason: String)

    /// Whether a plugin-channel payload belongs to this relay (its type starts with `agent_`).
    public static func isRelayPayload(_ payload: JSONValue) -> Bool {
        payload["type"]?.stringValue?.hasPrefix("agent_") ?? false
    }

    /// The payload as sent on the plugin channel.
    public var json: JSONValue {
        func date(_ d: Date) -> JSONValue { .string(Self.dateFormat.format(d)) }
        func number(_ n: UInt64) -> JSONValue { .number(Double(n)) }
        var o: [String: JSONValue]
        switch self {
        case .subscribe(let s, let master, let builder, let priority, let since):
            o = ["type": .string("agent_subscribe"), "subscription": .string(s), "master": .string(master),
                 "builder": .string(builder), "priority": .number(Double(priority))]
            if let since { o["since"] = date(since) }
        case .withdraw(let s): o = ["type": .string("agent_withdraw"), "subscription": .string(s)]
        case .claim(let offer, let build): o = ["type": .string("agent_claim"), "offer": number(offer), "build": .string(build)]
        case .decline(let offer): o = ["type": .string("agent_decline"), "offer": number(offer)]
        case .release(let lease): o = ["type": .string("agent_release"), "lease": .string(lease)]
        case .connected(let agent, let slots): o = ["type": .string("agent_connected"), "agent": .string(agent), "slots": .number(Double(slots))]
        case .unreachable(let reason): o = ["type": .string("agent_unreachable"), "reason": .string(reason)]
        case .waiting(let s, let reason, let until):
            o = ["type": .string("agent_waiting"), "subscription": .string(s), "reason": .string(reason)]
            if let until { o["until"] = date(until) }
        case .offer(let offer, let s, let expiresAt):
            o = ["type": .string("agent_offer"), "offer": number(offer), "subscription": .string(s), "expiresAt": date(expiresAt)]
        case .offerWithdrawn(let offer, let s, let reason):
            o = ["type": .string("agent_offer_withdrawn"), "offer": number(offer), "subscription": .string(s), "reason": .string(reason)]
        case .lease(let offer, let lease):
            o = ["type": .string("agent_lease"), "offer": number(offer), "lease": .object([
                "lease": .string(lease.lease), "token": number(lease.token), "master": .string(lease.master),
                "worker": .string(lease.worker), "builder": .string(lease.builder), "build": .string(lease.build),
                "since": date(lease.since), "expiresAt": date(lease.expiresAt),
            ])]
        case .claimFailed(let offer, let error): o = ["type": .string("agent_lease"), "offer": number(offer), "error": .string(error)]
        case .leaseLost(let lease, let build, let reason):
            o = ["type": .string("agent_lease_lost"), "lease": .string(lease), "build": .string(build), "reason": .string(reason)]
        }
        return .object(o)
    }

    /// Reads a payload; nil when it is not a well-formed relay message.
    public init?(json p: JSONValue) {
        func s(_ k: String) -> String? { p[k]?.stringValue }
        // Offers and tokens are counters below 2^53 (exact in a JSON number); anything else
        // (negative, fractional, 1e30) makes the message malformed rather than trapping.
        func n(_ k: String) -> UInt64? { p[k]?.integer(in: 0...Self.maxCounter) }
        func d(_ k: String) -> Date? { s(k).flatMap { try? Self.dateFormat.parse($0) } }
        switch s("type") {
        case "agent_subscribe":
            guard let sub = s("subscription"), let master = s("master"), let builder = s("builder"),
                  let priority = p["priority"].map({ $0.integer(in: BuildRequest.priorityRange) }) ?? 0 else { return nil }
            self = .subscribe(subscription: sub, master: master, builder: builder,
                              priority: priority, since: d("since"))
        case "agent_withdraw":
            guard let sub = s("subscription") else { return nil }
            self = .withdraw(subscription: sub)
        case "agent_claim":
            guard let offer = n("offer"), let build = s("build") else { return nil }
            self = .claim(offer: offer, build: build)
        case "agent_decline":
            guard let offer = n("offer") else { return nil }
            self = .decline(offer: offer)
        case "agent_release":
            guard let lease = s("lease") else { return nil }
            self = .release(lease: lease)
        case "agent_connected":
            guard let slots = p["slots"].map({ $0.integer(in: 0...Self.maxSlots) }) ?? 0 else { return nil }
            self = .connected(agent: s("agent") ?? "", slots: slots)
        case "agent_unreachable":
            self = .unreachable(reason: s("reason") ?? "unknown")
        case "agent_waiting":
            guard let sub = s("subscription"), let reason = s("reason") else { return nil }
            self = .waiting(subscription: sub, reason: reason, until: d("until"))
        case "agent_offer":
            guard let offer = n("offer"), let sub = s("subscription"), let expires = d("expiresAt") else { return nil }
            self = .offer(offer: offer, subscription: sub, expiresAt: expires)
        case "agent_offer_withdrawn":
            guard let offer = n("offer"), let sub = s("subscription") else { return nil }
            self = .offerWithdrawn(offer: offer, subscription: sub, reason: s("reason") ?? "")
        case "agent_lease":
            guard let offer = n("offer") else { return nil }
            if let error = s("error") {
                self = .claimFailed(offer: offer, error: error)
                return
            }
            guard let l = p["lease"], let name = l["lease"]?.stringValue,
                  let token = l["token"]?.integer(in: 0...Self.maxCounter), let since = l["since"]?.stringValue.flatMap({ try? Self.dateFormat.parse($0) }),
                  let expires = l["expiresAt"]?.stringValue.flatMap({ try? Self.dateFormat.parse($0) }) else { return nil }
            self = .lease(offer: offer, lease: AgentLease(
                lease: name, token: token, master: l["master"]?.stringValue ?? "", worker: l["worker"]?.stringValue ?? "",
                builder: l["builder"]?.stringValue ?? "", build: l["build"]?.stringValue ?? "", since: since, expiresAt: expires))
        case "agent_lease_lost":
            guard let lease = s("lease") else { return nil }
            self = .leaseLost(lease: lease, build: s("build") ?? "", reason: s("reason") ?? "")
        default:
            return nil
        }
    }

    /// The largest offer number or lease token: 2^53, the last integer a JSON number holds exactly.
    public static let maxCounter: UInt64 = 1 << 53

    /// The most slots an agent may announce.
    public static let maxSlots = 1 << 20

    /// Fractional seconds: offers expire within seconds, and lease times are shown to people.
    private static let dateFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}
