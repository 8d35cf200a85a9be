import DequeModule
import Foundation

/// How long to hold a worker hello from an address that recently failed to authenticate:
/// password guessing gets slower with each failure, while a real worker is never held once
/// it got in.
///
/// A pure value: the endpoint keeps it behind a lock and passes the time in. The delay
/// doubles with each failure from 250 ms up to ``maxDelay``; an address is forgotten after
/// a success, or ``forgetAfter`` after its last failure. At most ``capacity`` addresses are
/// kept (the least recently failed is dropped first), so memory is bounded whatever arrives.
struct HelloThrottle: Sendable {
    static let firstDelay: TimeInterval = 0.25
    static let maxDelay: TimeInterval = 10
    static let forgetAfter: TimeInterval = 15 * 60

    let capacity: Int
    private var failures: [String: (count: Int, last: Date)] = [:]
    /// Addresses in the order they last failed, oldest first (may hold stale duplicates).
    private var order: Deque<(address: String, at: Date)> = []

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// How long to wait before answering a hello from `address` now.
    func delay(for address: String, now: Date) -> TimeInterval {
        guard let entry = failures[address], now.timeIntervalSince(entry.last) < Self.forgetAfter else { return 0 }
        return min(Self.maxDelay, Self.firstDelay * pow(2, Double(min(entry.count - 1, 30))))
    }

    /// Notes a refused hello from `address`.
    mutating func failed(_ address: String, now: Date) {
        let count = failures[address].map { now.timeIntervalSince($0.last) < Self.forgetAfter ? $0.count + 1 : 1 } ?? 1
        failures[address] = (count, now)
        order.append((address, now))
        while failures.count > capacity || order.count > 2 * capacity, let oldest = order.popFirst() {
            // A stale duplicate (the address failed again later) is only dropped from the order.
            if failures[oldest.address]?.last == oldest.at { failures[oldest.address] = nil }
        }
    }

    /// Forgets `address`'s failures: it authenticated.
    mutating func succeeded(_ address: String) {
        failures[address] = nil
    }

    /// How many addresses it remembers.
    var count: Int { failures.count }
}
