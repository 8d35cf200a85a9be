import Foundation

extension Availability {
    /// Adds a cause found apart from the flag, window and load rules (the owner at the
    /// keyboard): the most severe state wins again, decisive causes come first, and the
    /// cause's own end joins ``nextChange`` when it is after `now`.
    mutating func add(_ cause: Cause, change: Date?, now: Date) {
        causes.append(cause)
        state = causes.map(\.state).max() ?? .available
        causes = causes.filter { $0.state == state } + causes.filter { $0.state != state }
        if let change, change > now { nextChange = min(nextChange ?? change, change) }
    }
}
