import CLibgit2
import Foundation

/// An open libgit2 repository: the only owner of a `git_repository` handle.
///
/// Not `Sendable` on purpose: a libgit2 repository object must be used by one thread at a
/// time, so an instance lives inside one actor (``GitMirror``) or one blocking work item
/// (``GitCheckout``) and is freed with it.
final class Repository {
    /// The `git_repository *`; never handed out of MinibotGit.
    let handle: OpaquePointer
    /// Where the repository is, for error messages.
    let path: String

    private init(handle: OpaquePointer, path: String) {
        self.handle = handle
        self.path = path
    }

    deinit {
        git_repository_free(handle)
    }

    /// Opens the repository at exactly `path`: its work tree, or the repository itself if bare.
    ///
    /// Never searches parent directories: a worker's build directory inside some other
    /// checkout must not be mistaken for that checkout.
    static func open(at path: String) throws -> Repository {
        Libgit2.initialise()
        var handle: OpaquePointer?
        let code = git_repository_open_ext(&handle, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        try GitError.check(code, operation: "open", repository: path)
        guard let handle else { throw GitError(operation: "open", repository: path, message: "libgit2 returned no repository") }
        return Repository(handle: handle, path: path)
    }

    /// Opens the repository at `path`, creating an empty one if there is nothing there yet.
    ///
    /// A directory that holds other files is refused rather than turned into a repository:
    /// a wrong path in the configuration should not scatter git files over someone's data.
    static func openOrCreate(at path: String, isBare: Bool) throws -> Repository {
        do {
            return try open(at: path)
        } catch let error as GitError where error.isNotFound {
            guard isMissingOrEmpty(path) else {
                throw GitError(operation: "open", repository: path, message: "the directory exists and is not a git repository")
            }
            var handle: OpaquePointer?
            let code = git_repository_init(&handle, path, isBare ? 1 : 0)
            try GitError.check(code, operation: "init", repository: path)
            guard let handle else { throw GitError(operation: "init", repository: path, message: "libgit2 returned no repository") }
            return Repository(handle: handle, path: path)
        }
    }

    /// Throws the ``GitError`` for a libgit2 call on this repository that returned `code`.
    ///
    /// Call it directly on the call's result, before any other libgit2 call (see ``GitError``).
    func check(_ code: Int32, _ operation: @autoclosure () -> String) throws {
        try GitError.check(code, operation: operation(), repository: path)
    }

    private static func isMissingOrEmpty(_ path: String) -> Bool {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            return !FileManager.default.fileExists(atPath: path)
        }
        return entries.isEmpty
    }
}
