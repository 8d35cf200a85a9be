/// One long poll's or event stream's place in the master's ``LongPollBudget``, given back
/// when the ticket is gone: when the poll answered, or when a stream's response body was
/// written to its end, failed, or was dropped without being written at all (a client that
/// hangs up between the route and the body would otherwise keep its place for ever).
final class LongPollTicket: Sendable {
    private let gate: LongPollGate
    private let client: String

    init(gate: LongPollGate, client: String) {
        self.gate = gate
        self.client = client
    }

    deinit { gate.release(client) }
}
