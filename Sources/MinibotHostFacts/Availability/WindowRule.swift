/// One `windows:` entry, as the availability plugin (master.cfg) and the host agent
/// (agent.yaml) both read it: inside `window` the worker or host is `mode`; `lead` seconds
/// before the window opens it is already `mode`, so that no build starts that would run
/// into it.
///
/// Parsed in one place, `ConfigReader.windows(_:_:)` in MinibotConfig, for both files.
public struct WindowRule: Sendable, Equatable {
    public var window: TimeWindow
    public var mode: RestrictionMode
    /// Seconds, finite and at most `DurationText.maximum`.
    public var lead: Double
    /// Shown in explanations before the window (`restricted hours Mon-Fri 09:00-17:00
    /// Europe/Paris`); default "restricted hours" for unavailable windows, "advisory hours"
    /// for advisory ones. (It was "outside hours", shown while the time was inside.)
    public var reason: String

    public init(window: TimeWindow, mode: RestrictionMode = .unavailable, lead: Double = 0, reason: String? = nil) {
        self.window = window
        self.mode = mode
        self.lead = lead
        self.reason = reason ?? (mode == .unavailable ? "restricted hours" : "advisory hours")
    }
}
