import CLibgit2

/// Process-wide libgit2 set-up, done once, on first use.
enum Libgit2 {
    /// Swift initialises a global or static `let` exactly once, under `swift_once`, so this is
    /// the lazy, thread-safe, once-only initialisation libgit2 asks for. It is never shut down:
    /// the mirror and checkout operations can run until the process exits.
    private static let isReady: Bool = {
        git_libgit2_init()
        // Repositories are routinely owned by another user than the master's or worker's
        // (root over a CI user's repositories, mounted volumes): see the shim.
        return minibot_git_set_owner_validation(0) == 0
    }()

    /// Initialises libgit2 if no one has yet; cheap after the first call.
    static func initialise() {
        _ = isReady
    }
}
