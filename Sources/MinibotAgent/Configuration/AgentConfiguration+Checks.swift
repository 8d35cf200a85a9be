import MinibotCore

extension AgentConfiguration {
    /// Builds a host may run at once: `agent.yaml`'s `slots` and `--slots`.
    public static let slotsRange = 1...1024

    /// A load average or a load a grant adds (``LoadBounds``, as for a worker's report).
    public static let loadRange = LoadBounds.load

    /// A pressure (`/proc/pressure/cpu` "some avg10") is a percentage.
    public static let pressureRange = LoadBounds.pressure

    /// The one check of a slot count, for `agent.yaml` and `--slots`.
    public static func checkedSlots(_ slots: Int) -> Int? {
        slotsRange.contains(slots) ? slots : nil
    }

    /// What ``checkedSlots(_:)`` asks for, after the setting's name.
    public static let slotsRule = "must be between \(slotsRange.lowerBound) and \(slotsRange.upperBound)"

    /// The one check of a load for `--max-load` and `--resume-load` (the file reads it with
    /// the same range): nil when not finite or out of ``loadRange``.
    public static func checkedLoad(_ load: Double) -> Double? {
        LoadBounds.isLoad(load) ? load : nil
    }

    /// What ``checkedLoad(_:)`` asks for, after the option's name.
    public static let loadRule = "must be a number between 0 and 100000"

    /// The one reading of a socket mode, for `agent.yaml` and `--socket-mode`: an octal
    /// permission such as "0660"; nil otherwise.
    public static func socketMode(_ text: String) -> UInt16? {
        guard text.count <= 4, let mode = UInt16(text, radix: 8), mode <= 0o777 else { return nil }
        return mode
    }

    /// What ``socketMode(_:)`` asks for, after the setting's name.
    public static let socketModeRule = "must be an octal mode such as \"0660\""

    /// The one reading of a positive duration for the agent's file and command line:
    /// `DurationText`'s (finite, at most its maximum) and more than zero.
    public static func positiveDuration(_ text: String) -> Double? {
        DurationText.seconds(text).flatMap { $0 > 0 ? $0 : nil }
    }

    /// Checks that hold between settings; `report` receives each problem and the key it is about.
    public static func crossCheck(_ arbiter: ArbiterStateMachine.Configuration, report: (String, String) -> Void) {
        if let maxLoad = arbiter.maxLoad, let resume = arbiter.resumeLoad, resume > maxLoad {
            report("resume_load", "resume_load \(resume) must not be above max_load \(maxLoad)")
        }
        if let max = arbiter.maxCPUPressure, let resume = arbiter.resumeCPUPressure, resume > max {
            report("resume_cpu_pressure", "resume_cpu_pressure \(resume) must not be above max_cpu_pressure \(max)")
        }
    }
}
