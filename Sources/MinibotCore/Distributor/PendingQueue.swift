/// The distributor's pending requests, by id and in serving order.
///
/// A pass walks every pending request in ``DistributorPolicy/servesBefore(_:_:)`` order.
/// Keeping that order as requests come and go (a binary-search insert, one removal) spares
/// each pass converting and sorting the whole queue again: with 1,000 pending requests
/// that was a good part of a pass.
public struct PendingQueue: Sendable {
    private var byID: [Int64: BuildRequest] = [:]
    /// Sorted by ``DistributorPolicy/servesBefore(_:_:)``; the same requests as `byID`.
    public private(set) var ordered: [PendingRequest] = []

    public init() {}

    public var values: Dictionary<Int64, BuildRequest>.Values { byID.values }

    /// The request with this id; setting nil removes it, setting a request adds or replaces it.
    public subscript(id: Int64) -> BuildRequest? {
        get { byID[id] }
        set {
            if let old = byID[id] { ordered.remove(at: index(of: Self.pendingRequest(old))) }
            byID[id] = newValue
            if let newValue {
                let request = Self.pendingRequest(newValue)
                ordered.insert(request, at: insertionIndex(of: request))
            }
        }
    }

    /// The first index whose request is not served before `request`.
    private func insertionIndex(of request: PendingRequest) -> Int {
        var low = 0, high = ordered.count
        while low < high {
            let mid = (low + high) / 2
            if DistributorPolicy.servesBefore(ordered[mid], request) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private func index(of request: PendingRequest) -> Int {
        let start = insertionIndex(of: request)
        // Ids are unique, so the order is strict: the request sits where it would be inserted.
        if start < ordered.count, ordered[start].id == request.id { return start }
        return ordered.firstIndex { $0.id == request.id } ?? start
    }

    private static func pendingRequest(_ r: BuildRequest) -> PendingRequest {
        PendingRequest(id: r.id, builder: r.builderName, priority: r.priority, submittedAt: r.submittedAt,
                       properties: r.properties)
    }
}
