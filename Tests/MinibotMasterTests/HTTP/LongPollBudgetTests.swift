@testable import MinibotMaster
import Testing

@Suite struct LongPollBudgetTests {
    @Test func capsPerClientAndInAll() {
        var budget = LongPollBudget(limits: .init(total: 3, perClient: 2))
        #expect(budget.admit("a") == nil)
        #expect(budget.admit("a") == nil)
        #expect(budget.admit("a")?.contains("per client") == true)
        #expect(budget.admit("b") == nil)
        #expect(budget.admit("c")?.contains("its most (3)") == true)
        budget.release("a")
        #expect(budget.admit("c") == nil)
        #expect(budget.open == 3)
    }

    @Test func releasingWhatWasNeverTakenChangesNothing() {
        var budget = LongPollBudget(limits: .init(total: 1, perClient: 1))
        budget.release("x")
        #expect(budget.open == 0)
        #expect(budget.admit("x") == nil)
        budget.release("x")
        budget.release("x")
        #expect(budget.open == 0)
    }

    @Test("a place is given back when its ticket is gone, however the stream ended")
    func ticketsGiveTheirPlaceBack() {
        let gate = LongPollGate(limits: .init(total: 2, perClient: 1))
        var held: LongPollTicket?
        if case .taken(let ticket) = gate.admit("a") { held = ticket }
        #expect(held != nil)
        #expect(gate.open == 1)
        if case .refused(let reason) = gate.admit("a") {
            #expect(reason.contains("per client"))
        } else {
            Issue.record("a second place for the same client was taken")
        }
        held = nil
        #expect(gate.open == 0)
        if case .refused = gate.admit("a") { Issue.record("the place was not given back") }
    }

    @Test("the connection cap leaves descriptors for the database and the pollers")
    func connectionCapKeepsAReserve() {
        #expect(ConnectionCap.limit(openFiles: 1024) == 896)
        #expect(ConnectionCap.limit(openFiles: 256) == 192)
        #expect(ConnectionCap.limit(openFiles: 20) == 16)
        #expect(ConnectionCap.limit(openFiles: 1 << 20) == (1 << 20) - (1 << 17))
    }
}
