/// Who holds or waits for a lock.
///
/// A pending request reserves its builder's locks while a start gate is asked; a build holds
/// them while it runs (``LockBook/reassign(from:to:label:)`` turns the reservation into the
/// build's hold); a step holds its own locks while it runs.
public enum LockOwner: Sendable, Hashable, Codable, CustomStringConvertible {
    case request(Int64)
    case build(Int64)
    case step(build: Int64, step: Int)

    /// `request 5`, `build 12`, `build 12 step 3`: the words used in waiting reasons when the
    /// holder was given no label.
    public var description: String {
        switch self {
        case .request(let id): "request \(id)"
        case .build(let id): "build \(id)"
        case .step(let build, let step): "build \(build) step \(step)"
        }
    }
}
