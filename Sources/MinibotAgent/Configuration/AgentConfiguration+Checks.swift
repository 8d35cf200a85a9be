extension AgentConfiguration {
    /// The one check of a slot count, for `agent.yaml` and `--slots`: nil when below 1.
    public static func checkedSlots(_ slots: Int) -> Int? {
        slots >= 1 ? slots : nil
    }

    /// What ``checkedSlots(_:)`` asks for, after the setting's name.
    public static let slotsRule = "must be at least 1"

    /// The one reading of a socket mode, for `agent.yaml` and `--socket-mode`: an octal
    /// permission such as "0660"; nil otherwise.
    public static func socketMode(_ text: String) -> UInt16? {
        guard let mode = UInt16(text, radix: 8), mode <= 0o777 else { return nil }
        return mode
    }

    /// What ``socketMode(_:)`` asks for, after the setting's name.
    public static let socketModeRule = "must be an octal mode such as \"0660\""
}
