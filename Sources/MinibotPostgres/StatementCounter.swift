import Synchronization

/// How many statements this process sent to the server (every pooled connection, the
/// transactions' BEGIN and COMMIT included; not the listener's LISTEN), for `/metrics` and the
/// benchmark's statements per build.
final class StatementCounter: Sendable {
    private let count = Atomic<Int64>(0)

    func add() { count.wrappingAdd(1, ordering: .relaxed) }

    var value: Int64 { count.load(ordering: .relaxed) }
}
