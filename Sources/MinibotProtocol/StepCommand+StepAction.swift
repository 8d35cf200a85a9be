import MinibotCore

extension StepCommand {
    /// The wire form of a configured (and already interpolated) step action.
    public init(_ action: StepAction) {
        switch action {
        case .shell(.argv(let argv)):
            self = .shell(.argv(argv))
        case .shell(.script(let script)):
            self = .shell(.script(script))
        case .git(let git):
            self = .git(GitCheckout(repository: git.repository, mode: GitCheckout.Mode(git.mode), branch: git.branch))
        }
    }
}

extension StepCommand.GitCheckout.Mode {
    init(_ mode: GitCheckoutSpec.Mode) {
        switch mode {
        case .incremental: self = .incremental
        case .full: self = .full
        }
    }
}
