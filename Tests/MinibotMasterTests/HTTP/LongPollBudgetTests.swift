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
}
