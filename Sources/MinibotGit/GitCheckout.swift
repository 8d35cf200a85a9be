import CLibgit2

/// A worker's checkout of the revision a build is for.
public enum GitCheckout {
    /// Clones or updates `repository` into `directory` and checks out one revision, detached.
    ///
    /// A missing or empty `directory` becomes a new clone; an existing one is fetched into,
    /// with its `origin` re-pointed at `repository` if that changed. All branches are fetched
    /// (as `origin/*`, pruned), with the tags that point into them.
    ///
    /// The work runs on a thread of its own, not on Swift's cooperative pool, and is not
    /// cancelled with the calling task.
    ///
    /// - Parameters:
    ///   - repository: a local path, `file://`, `https://` or `ssh://` URL.
    ///   - branch: the branch whose tip to check out when `revision` is nil; when both are
    ///     nil, the remote's default branch (its HEAD).
    ///   - revision: the exact commit to check out (a sha or any revspec); wins over `branch`.
    ///   - mode: ``CheckoutMode/full`` also removes untracked and ignored files.
    ///   - directory: the work tree; created if missing.
    /// - Returns: the full sha checked out (Buildbot's `got_revision`).
    /// - Throws: ``GitError`` if the repository cannot be read or the revision or branch is
    ///   not in it.
    public static func checkout(
        repository: String,
        branch: String?,
        revision: String?,
        mode: CheckoutMode,
        into directory: String
    ) async throws -> String {
        try await BlockingWork.run(label: "minibot.git.checkout") {
            try checkoutNow(repository: repository, branch: branch, revision: revision, mode: mode, into: directory)
        }
    }

    private static func checkoutNow(
        repository url: String,
        branch: String?,
        revision: String?,
        mode: CheckoutMode,
        into directory: String
    ) throws -> String {
        let clone = try Repository.openOrCreate(at: directory, isBare: false)
        let target: git_oid = try clone.withNamedRemote("origin", url: url) { remote in
            try clone.fetch(remote, url: url, refspecs: nil, isPruning: true, tags: GIT_REMOTE_DOWNLOAD_TAGS_AUTO)
            if let revision {
                return try clone.commitID(for: revision)
            }
            if let branch {
                do {
                    return try clone.commitID(for: "refs/remotes/origin/\(branch)")
                } catch let error as GitError where error.isNotFound {
                    throw GitError(operation: "checkout", repository: url, message: "no branch '\(branch)'")
                }
            }
            guard let head = try clone.advertisedHead(of: remote, url: url) else {
                throw GitError(operation: "checkout", repository: url, message: "the remote has no HEAD; name a branch")
            }
            return head
        }
        try clone.checkOutDetached(target, isRemovingUntracked: mode == .full)
        return target.hex
    }
}
