import CLibgit2
import Foundation

/// A bare mirror of a remote repository, kept under the master's directory for its poller.
///
/// The mirror holds the remote's branches as its own `refs/heads/*`, so that history, authors
/// and changed files can be read locally between fetches.
///
/// Every operation runs start to finish on the mirror's own dispatch queue (its actor executor),
/// never on Swift's cooperative pool: libgit2 blocks its thread on network and disk. Calls to
/// one mirror run one at a time; different mirrors run in parallel. Operations are not
/// cancellable once started.
public actor GitMirror {
    /// Where the remote repository is: a local path, `file://`, `https://` or `ssh://` URL.
    public nonisolated let url: String
    /// Where the bare mirror lives; created by the first ``fetch()``.
    public nonisolated let path: String

    private let executor: QueueExecutor
    /// Kept open between calls so an unchanged poll does not reopen the repository; dropped
    /// after a failure so that the next call starts from what is on disk.
    private var repository: Repository?

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// Describes a mirror of `url` at `path`; touches neither until the first call.
    public init(url: String, path: String) {
        self.url = url
        self.path = path
        self.executor = QueueExecutor(label: "minibot.git.mirror")
    }

    /// Brings the mirror up to date with the remote and returns its branches.
    ///
    /// Creates the bare mirror if missing, then force-fetches `refs/heads/*` onto the mirror's
    /// own `refs/heads/*`, pruning branches deleted on the remote: a rewritten branch simply
    /// moves, a deleted one is absent from the result. Tags are not fetched.
    ///
    /// - Returns: branch name (e.g. `main`, `feature/x/y`) to head commit sha.
    /// - Throws: ``GitError`` if the mirror cannot be created or the remote cannot be read.
    public func fetch() throws -> [String: String] {
        // libgit2 calls a missing local repository an "unsupported URL protocol": say what it is.
        let localPath = url.hasPrefix("file://") ? String(url.dropFirst("file://".count)) : url
        if localPath.hasPrefix("/"), !FileManager.default.fileExists(atPath: localPath) {
            throw GitError(operation: "fetch", repository: url,
                           message: "there is no repository at \(localPath); check the poller's 'repository' in master.cfg "
                               + "(a relative path is relative to the master directory)")
        }
        return try withRepository { repository in
            try repository.withAnonymousRemote(url: url) { remote in
                try repository.fetch(
                    remote,
                    url: url,
                    refspecs: ["+refs/heads/*:refs/heads/*"],
                    isPruning: true,
                    tags: GIT_REMOTE_DOWNLOAD_TAGS_NONE
                )
            }
            return try repository.references(under: "refs/heads/")
        }
    }

    /// The commits a poller has not seen yet on the way to `head`, oldest first.
    ///
    /// These are the commits reachable from `head` but from none of `known` (every revision
    /// seen before, on any branch), so a force-push yields only its new commits and a new
    /// branch only what it adds. Each carries the files changed against its first parent.
    ///
    /// - Parameters:
    ///   - head: the new head, usually a sha returned by ``fetch()`` (any revspec works).
    ///   - known: revisions seen before; ones the mirror lacks are ignored.
    ///   - limit: at most this many commits are returned, the newest ones.
    /// - Throws: ``GitError`` if `head` is not in the mirror or the history cannot be read.
    public func commits(toward head: String, excluding known: [String], limit: Int = 100) throws -> [GitCommit] {
        try withRepository { repository in
            try repository.commits(toward: head, excluding: known, limit: limit)
        }
    }

    private func withRepository<Result>(_ body: (Repository) throws -> Result) throws -> Result {
        do {
            let repository = try self.repository ?? Repository.openOrCreate(at: path, isBare: true)
            self.repository = repository
            return try body(repository)
        } catch {
            repository = nil
            throw error
        }
    }
}
