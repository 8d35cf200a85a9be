import Synchronization

/// The build page's tails of finished steps' logs, most recently shown first: a finished
/// log never changes, so its page is read and coloured once, not at every view (a 50 MB
/// log costs a scan of 50 MB), and its lines rendered once (``LogTail/freeze()``). Bounded:
/// ``capacity`` tails, each of at most ``maxEntryBytes`` of HTML (a longer one is not cached).
final class LogTailCache: Sendable {
    static let capacity = 32
    static let maxEntryBytes = 4 << 20

    private struct Key: Hashable {
        var build: Int64
        var step: Int
    }

    private let state = Mutex<(tails: [Key: LogTail], order: [Key])>(([:], []))

    func tail(build: Int64, step: Int) -> LogTail? {
        state.withLock { s in
            let key = Key(build: build, step: step)
            guard let tail = s.tails[key] else { return nil }
            s.order.removeAll { $0 == key }
            s.order.append(key)
            return tail
        }
    }

    func keep(_ tail: LogTail, build: Int64, step: Int) {
        guard tail.keptBytes <= Self.maxEntryBytes else { return }
        state.withLock { s in
            let key = Key(build: build, step: step)
            if s.tails.updateValue(tail, forKey: key) == nil { s.order.append(key) }
            while s.order.count > Self.capacity { s.tails[s.order.removeFirst()] = nil }
        }
    }
}
