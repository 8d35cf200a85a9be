/// What a plugin asks for a running build while its worker is unavailable
/// (``PluginContext/holdBuild(requestID:_:)``): its steps stopped, at the lowest priority, or
/// back to running. The reason is shown in the build's state string (`suspended: REASON`).
public enum BuildHold: Sendable, Equatable {
    case suspend(reason: String)
    case renice(reason: String)
    case resume

    /// What the build's state string says while held ("suspended: load 4.2 > 3.0"); nil for `resume`.
    public var stateText: String? {
        switch self {
        case .suspend(let reason): "suspended: \(reason)"
        case .renice(let reason): "reniced: \(reason)"
        case .resume: nil
        }
    }
}
