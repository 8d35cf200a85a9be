import MinibotCore
import MinibotProtocol
import MinibotGit

/// The worker's real `git` step: libgit2 through MinibotGit (no git CLI needed).
///
/// A checkout that has started runs to its end even when the step is interrupted (libgit2
/// offers no cancellation here); the interrupt then takes effect before the next step.
public struct LibgitCheckout: CheckoutPerformer {
    public init() {}

    public func checkout(repository: String, branch: String?, revision: String?, mode: StepCommand.GitCheckout.Mode,
                         into directory: String) async throws -> String {
        try await GitCheckout.checkout(repository: repository, branch: branch, revision: revision,
                                       mode: mode == .full ? .full : .incremental, into: directory)
    }
}
