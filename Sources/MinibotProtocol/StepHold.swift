/// What a worker does to a build's steps while the worker is unavailable
/// (``MasterMessage/hold(buildID:mode:)``).
///
/// `suspend` stops the running step's process group (SIGSTOP) and makes a later step of the
/// build wait before it starts; its timeout does not run meanwhile. `renice` sets the step's
/// group to nice 19 and the idle IO class, and later steps of the build start that way; an
/// unprivileged worker cannot raise a priority again, so a reniced step stays reniced until it
/// ends. `resume` continues a suspended group (SIGCONT) and lets later steps start as usual.
public enum StepHold: String, Sendable, Codable, Equatable, CaseIterable {
    case suspend, renice, resume
}
