import CLibgit2

extension Repository {
    /// Makes the work tree and index exactly `id`'s tree and detaches HEAD there.
    ///
    /// Tracked files are always forced back to the revision (a build may have modified them);
    /// with `isRemovingUntracked`, untracked and ignored files go too.
    func checkOutDetached(_ id: git_oid, isRemovingUntracked: Bool) throws {
        var id = id
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, handle, &id), "find commit \(id.hex)")
        defer { git_commit_free(commit) }

        var options = git_checkout_options()
        try check(git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), "checkout")
        var strategy = GIT_CHECKOUT_FORCE.rawValue
        if isRemovingUntracked {
            strategy |= GIT_CHECKOUT_REMOVE_UNTRACKED.rawValue | GIT_CHECKOUT_REMOVE_IGNORED.rawValue
        }
        options.checkout_strategy = strategy
        // A git_commit is a git_object to libgit2; both are opaque pointers here.
        try check(git_checkout_tree(handle, commit, &options), "checkout \(id.hex)")
        try check(git_repository_set_head_detached(handle, &id), "detach HEAD at \(id.hex)")
    }
}
