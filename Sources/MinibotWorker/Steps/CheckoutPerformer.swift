import MinibotCore
import MinibotProtocol

/// Checks a repository out into a step's directory: what a `git` step does on a worker.
///
/// Called by ``StepRunner`` from the step's task, one call per git step, never
/// concurrently for the same directory. Implementations block no cooperative thread for
/// long (libgit2 work belongs on its own thread) and honour task cancellation, which is how
/// an interrupt or a timeout stops them. The `minibot-worker` executable injects the libgit2
/// implementation from MinibotGit.
public protocol CheckoutPerformer: Sendable {
    /// Clones or updates `repository` in `directory` and checks out `revision` (or the tip
    /// of `branch` when `revision` is nil). Returns the commit checked out (`got_revision`).
    /// Errors say what went wrong in words a user can act on; they fail the step.
    func checkout(repository: String, branch: String?, revision: String?, mode: StepCommand.GitCheckout.Mode,
                  into directory: String) async throws -> String
}

/// The default performer of a worker built without git support: every git step fails.
public struct UnavailableCheckout: CheckoutPerformer {
    public init() {}

    public func checkout(repository: String, branch: String?, revision: String?, mode: StepCommand.GitCheckout.Mode,
                         into directory: String) async throws -> String {
        throw CheckoutUnavailableError()
    }
}

/// Thrown by ``UnavailableCheckout``.
public struct CheckoutUnavailableError: Error, CustomStringConvertible, Sendable {
    public var description: String { "git checkout not available on this worker (built without libgit2 support)" }
}
