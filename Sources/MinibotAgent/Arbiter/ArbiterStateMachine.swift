import Foundation
import MinibotCore
import MinibotHostFacts
import MinibotProtocol

/// The host agent's decisions: who gets the next build slot, when, and for how long.
///
/// A pure value with no I/O and no clock: the `Agent` actor feeds it one `Input` at a time with
/// the current time, sends the returned actions, and sleeps until `nextDeadline` to feed `.tick`.
/// Tests drive it the same way with a scripted clock and scripted load.
///
/// Invariants: never more leases than `slots`; at most one offer out on the whole host; no offer
/// while recovering after a start, inside a host block, within `settle` of the last grant, or
/// with the load (plus the expected load of recent grants) above the threshold.
public struct ArbiterStateMachine: Sendable {
    /// Identifies one client connection; chosen by the caller, never reused while open.
    public typealias ConnectionID = Int

    /// Something that happened: a request on a connection, or a change the agent observed.
    public enum Input: Sendable, Equatable {
        case request(AgentRequest, from: ConnectionID)
        case connectionClosed(ConnectionID)
        case loadSampled(LoadSample)
        case hostBlockChanged(HostBlock?)
        /// Time passed (the agent's timer reached `nextDeadline`).
        case tick
    }

    /// A message to send to one connection.
    public struct Action: Sendable, Equatable {
        public var connection: ConnectionID
        public var event: AgentEvent

        public init(connection: ConnectionID, event: AgentEvent) {
            self.connection = connection
            self.event = event
        }
    }

    struct SubscriptionKey: Hashable, Sendable {
        var connection: ConnectionID
        var name: String
    }

    struct Subscription: Sendable {
        var key: SubscriptionKey
        var master: String
        var worker: String
        var builder: String
        var priority: Int
        var since: Date
        /// Arrival order, the last tie-breaker.
        var sequence: UInt64
        /// The last reason sent, so that `waiting` goes out only when it changes.
        var lastReason: WaitReason?
    }

    struct Offer: Sendable {
        var id: UInt64
        var key: SubscriptionKey
        var expiresAt: Date
    }

    struct Lease: Sendable {
        var wire: AgentLease
        /// The connection that last claimed, renewed or re-registered it; told when it expires.
        var holder: ConnectionID?
    }

    public let configuration: Configuration
    /// Changes at every start; prefixes lease ids and tells clients that the agent restarted.
    public let agentID: String

    var subscriptions: [SubscriptionKey: Subscription] = [:]
    var offer: Offer?
    var leases: [String: Lease] = [:]
    /// Times of grants still inside the expected-load window, oldest first.
    var recentGrants: [Date] = []
    /// The time of the last `handle`; deadlines up to it are already applied.
    var lastStep: Date
    var lastGrant: Date?
    var load: LoadSample?
    /// The load threshold (on the effective load); nil without `maxLoad`.
    var loadThreshold: LoadHysteresis?
    /// The CPU-pressure threshold; nil without `maxCPUPressure`.
    var pressureThreshold: LoadHysteresis?
    var hostBlock: HostBlock?
    /// While set, a restarted agent accepts re-registrations and makes no offers.
    public private(set) var recoveringUntil: Date?
    var greeted: Set<ConnectionID> = []
    var nextToken: UInt64
    var nextOfferID: UInt64 = 1
    var nextSequence: UInt64 = 0
    var nextLeaseNumber = 1
    /// Round-robin over masters: the serial of the last offer made to each.
    var lastServed: [String: UInt64] = [:]
    var serveCounter: UInt64 = 0

    /// - Parameters:
    ///   - recovering: start in recovery (no offers for one `leaseTTL`, re-registrations welcome).
    ///     The agent does when its lease ledger says builds of a previous run may still hold
    ///     slots (a clean shutdown with builds running looks the same as a crash).
    ///   - tokenBase: the first fencing token; the agent passes milliseconds since 1970 so that
    ///     tokens keep growing across restarts.
    public init(configuration: Configuration, agentID: String, now: Date, recovering: Bool = true, tokenBase: UInt64 = 1) {
        self.configuration = configuration
        self.agentID = agentID
        self.nextToken = max(tokenBase, 1)
        self.lastStep = now
        self.loadThreshold = configuration.maxLoad.map { LoadHysteresis(max: $0, resume: configuration.resumeLoad) }
        self.pressureThreshold = configuration.maxCPUPressure.map {
            LoadHysteresis(max: $0, resume: configuration.resumeCPUPressure)
        }
        if recovering, configuration.leaseTTL > 0 {
            self.recoveringUntil = now.addingTimeInterval(configuration.leaseTTL)
        }
    }

    /// Applies one input at `now` and returns the messages to send, in order.
    ///
    /// Timeouts due at `now` are applied before the input (a claim at the very instant its offer
    /// expires is refused), and the next offer is made after it.
    public mutating func handle(_ input: Input, now: Date) -> [Action] {
        var actions: [Action] = []
        lastStep = max(lastStep, now)
        expire(now: now, into: &actions)
        switch input {
        case .request(let request, let connection):
            handle(request, from: connection, now: now, into: &actions)
        case .connectionClosed(let connection):
            closeConnection(connection)
        case .loadSampled(let sample):
            load = sample
        case .hostBlockChanged(let block):
            hostBlock = block
        case .tick:
            break
        }
        progress(now: now, into: &actions)
        return actions
    }

    /// The earliest time at which `.tick` may change something; nil when only an input can.
    public var nextDeadline: Date? {
        var deadlines: [Date] = []
        if let offer { deadlines.append(offer.expiresAt) }
        deadlines.append(contentsOf: leases.values.map(\.wire.expiresAt))
        if let recoveringUntil { deadlines.append(recoveringUntil) }
        if let first = recentGrants.first { deadlines.append(first.addingTimeInterval(configuration.expectedLoadWindow)) }
        if !subscriptions.isEmpty {
            if let lastGrant { deadlines.append(lastGrant.addingTimeInterval(configuration.settle)) }
            if let until = hostBlock?.until { deadlines.append(until) }
        }
        // A deadline at or before the last step's time was already applied by that step; a
        // timer for it would only spin.
        return deadlines.filter { $0 > lastStep }.min()
    }

    /// Leases now held (for tests and the status report).
    public var activeLeases: [AgentLease] {
        leases.values.map(\.wire).sorted { ($0.since, $0.token) < ($1.since, $1.token) }
    }

    /// The offer now out, if any.
    public var currentOffer: AgentEvent.Offer? {
        offer.map { AgentEvent.Offer(offer: $0.id, subscription: $0.key.name, expiresAt: $0.expiresAt) }
    }

    // MARK: timeouts

    mutating func expire(now: Date, into actions: inout [Action]) {
        if let until = recoveringUntil, until <= now {
            recoveringUntil = nil
        }
        if let current = offer, current.expiresAt <= now {
            // An offer nobody claimed in time drops its subscription: a hung subscriber is
            // not offered again and again (each time holding the host for offerTimeout),
            // and a live one subscribes again when told (the master does, see HostGateTable).
            offer = nil
            subscriptions[current.key] = nil
            actions.append(Action(connection: current.key.connection, event: .offerWithdrawn(.init(
                offer: current.id, subscription: current.key.name,
                reason: "not claimed within \(Self.seconds(configuration.offerTimeout)); subscribe again"))))
        }
        for (id, lease) in leases where lease.wire.expiresAt <= now {
            leases[id] = nil
            if let holder = lease.holder {
                actions.append(Action(connection: holder, event: .leaseExpired(.init(lease: id, token: lease.wire.token))))
            }
        }
        let window = configuration.expectedLoadWindow
        recentGrants.removeAll { $0.addingTimeInterval(window) <= now }
    }

    mutating func closeConnection(_ connection: ConnectionID) {
        greeted.remove(connection)
        for key in subscriptions.keys where key.connection == connection {
            subscriptions[key] = nil
        }
        if offer?.key.connection == connection {
            offer = nil
        }
        // Leases outlive their connection: the build may still run, and its worker will
        // reconnect and renew; if it does not, the lease expires.
        for (id, lease) in leases where lease.holder == connection {
            leases[id]?.holder = nil
        }
    }

    static func seconds(_ interval: TimeInterval) -> String {
        interval == interval.rounded() ? "\(Int(interval)) s" : String(format: "%.1f s", interval)
    }
}
