/// A change-hook field: one value, or several (a form may repeat `files`).
public enum HookValue: Sendable, Equatable {
    case one(String)
    case many([String])

    public var first: String? {
        switch self {
        case .one(let s): s
        case .many(let a): a.first
        }
    }
}
