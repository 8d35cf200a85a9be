import Foundation
import MinibotAgent
import MinibotCore
import MinibotHostFacts
import MinibotProtocol

/// Drives an `ArbiterStateMachine` with a scripted clock and load, remembering what it sent.
struct ArbiterHarness {
    var machine: ArbiterStateMachine
    var now: Date
    var sent: [ArbiterStateMachine.Action] = []
    private var nextRequestID = 100

    init(_ configuration: ArbiterStateMachine.Configuration, recovering: Bool = false, load: Double? = 0.0,
         start: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        now = start
        machine = ArbiterStateMachine(configuration: configuration, agentID: "A", now: start, recovering: recovering, tokenBase: 1)
        if let load { sample(load) }
    }

    @discardableResult
    mutating func send(_ input: ArbiterStateMachine.Input) -> [ArbiterStateMachine.Action] {
        let actions = machine.handle(input, now: now)
        sent.append(contentsOf: actions)
        return actions
    }

    mutating func requestID() -> Int {
        nextRequestID += 1
        return nextRequestID
    }

    @discardableResult
    mutating func hello(_ connection: Int) -> [ArbiterStateMachine.Action] {
        send(.request(.hello(.init(id: requestID(), client: "w\(connection)")), from: connection))
    }

    @discardableResult
    mutating func subscribe(_ connection: Int, _ name: String, master: String = "M", builder: String = "B",
                            priority: Int = 0, since: Date? = nil) -> [ArbiterStateMachine.Action] {
        send(.request(.subscribe(.init(id: requestID(), subscription: name, master: master, worker: "w\(connection)",
                                       builder: builder, priority: priority, since: since)), from: connection))
    }

    /// Claims `offer` and returns the granted lease, or the refusal code.
    mutating func claim(_ connection: Int, _ offer: UInt64, build: String = "1") -> Result<AgentLease, Refusal> {
        let actions = send(.request(.claim(.init(id: requestID(), offer: offer, build: build)), from: connection))
        for action in actions where action.connection == connection {
            if case .lease(let granted) = action.event { return .success(granted.lease) }
            if case .refused(let refused) = action.event { return .failure(Refusal(code: refused.code)) }
        }
        return .failure(Refusal(code: "no reply"))
    }

    mutating func reply(_ connection: Int, _ request: AgentRequest) -> AgentEvent? {
        send(.request(request, from: connection)).first { $0.connection == connection && $0.event.replyTo == request.id }?.event
    }

    mutating func sample(_ load1: Double, pressure: Double? = nil) {
        send(.loadSampled(LoadSample(load1: load1, load5: load1, load15: load1, cpuPressureSome10: pressure, time: now)))
    }

    /// Moves the clock and ticks, as the agent's timer would.
    @discardableResult
    mutating func advance(_ seconds: TimeInterval) -> [ArbiterStateMachine.Action] {
        now = now.addingTimeInterval(seconds)
        return send(.tick)
    }

    /// Advances to the machine's next deadline (what the agent's timer does).
    @discardableResult
    mutating func advanceToDeadline() -> [ArbiterStateMachine.Action] {
        guard let deadline = machine.nextDeadline else { return [] }
        now = max(now, deadline)
        return send(.tick)
    }

    /// The offer (if any) in `actions`.
    static func offers(_ actions: [ArbiterStateMachine.Action]) -> [(connection: Int, offer: AgentEvent.Offer)] {
        actions.compactMap { action in
            if case .offer(let offer) = action.event { return (action.connection, offer) }
            return nil
        }
    }

    static func waiting(_ actions: [ArbiterStateMachine.Action], for subscription: String) -> AgentEvent.Waiting? {
        actions.compactMap { action -> AgentEvent.Waiting? in
            if case .waiting(let waiting) = action.event, waiting.subscription == subscription { return waiting }
            return nil
        }.last
    }
}

struct Refusal: Error, Equatable {
    var code: String
}
