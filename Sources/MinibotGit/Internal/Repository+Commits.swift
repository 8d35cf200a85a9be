import CLibgit2
import Foundation

extension Repository {
    /// The commit that `revision` names (a full or abbreviated sha, a branch, any revspec).
    func commitID(for revision: String) throws -> git_oid {
        var object: OpaquePointer?
        try check(git_revparse_single(&object, handle, revision), "find revision '\(revision)'")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "find commit for '\(revision)'")
        defer { git_object_free(commit) }
        guard let id = git_object_id(commit) else {
            throw GitError(operation: "find revision '\(revision)'", repository: path, message: "no object id")
        }
        return id.pointee
    }

    /// The newest `limit` commits reachable from `head` and from none of `known`, oldest first.
    ///
    /// Walks newest first (topological, then by time) so that it can stop after `limit`
    /// commits however long the unknown history is, then reverses. A `known` revision this
    /// repository does not have (history rewritten and collected, or not a sha) cannot hide
    /// anything, so it is skipped rather than failing the poll.
    func commits(toward head: String, excluding known: [String], limit: Int) throws -> [GitCommit] {
        guard limit > 0 else { return [] }
        var headID = try commitID(for: head)
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, handle), "start history walk")
        defer { git_revwalk_free(walk) }
        try check(git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue), "sort history walk")
        try check(git_revwalk_push(walk, &headID), "walk history from \(head)")
        for revision in known {
            guard var id = git_oid(hex: revision) else { continue }
            _ = git_revwalk_hide(walk, &id)
        }

        var newestFirst: [git_oid] = []
        var id = git_oid()
        while newestFirst.count < limit {
            let code = git_revwalk_next(&id, walk)
            if code == GIT_ITEROVER.rawValue { break }
            try check(code, "walk history from \(head)")
            newestFirst.append(id)
        }
        return try newestFirst.reversed().map { try commit($0) }
    }

    /// Reads one commit, with the paths it changed against its first parent.
    func commit(_ id: git_oid) throws -> GitCommit {
        var id = id
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, handle, &id), "read commit \(id.hex)")
        defer { git_commit_free(commit) }

        let author = git_commit_author(commit)?.pointee
        let committer = git_commit_committer(commit)?.pointee
        let parentCount = git_commit_parentcount(commit)
        let parents = (0..<parentCount).compactMap { git_commit_parent_id(commit, $0)?.pointee.hex }
        return GitCommit(
            revision: id.hex,
            authorName: author?.name.map { String(cString: $0) } ?? "",
            authorEmail: author?.email.map { String(cString: $0) } ?? "",
            committerName: committer?.name.map { String(cString: $0) } ?? "",
            committerEmail: committer?.email.map { String(cString: $0) } ?? "",
            message: git_commit_message(commit).map { String(cString: $0) } ?? "",
            time: Date(timeIntervalSince1970: TimeInterval(committer?.when.time ?? 0)),
            parents: parents,
            files: try changedFiles(of: commit, hasParent: parentCount > 0)
        )
    }

    /// Paths that differ between `commit`'s tree and its first parent's (all, for a root).
    ///
    /// A tree-to-tree diff compares object ids only, so it stays fast on huge commits; the
    /// binary check, which would read blobs, is skipped since no patch is produced.
    private func changedFiles(of commit: OpaquePointer?, hasParent: Bool) throws -> [String] {
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commit), "read commit tree")
        defer { git_tree_free(tree) }
        var parentTree: OpaquePointer?
        if hasParent {
            var parent: OpaquePointer?
            try check(git_commit_parent(&parent, commit, 0), "read first parent")
            defer { git_commit_free(parent) }
            try check(git_commit_tree(&parentTree, parent), "read first parent's tree")
        }
        defer { git_tree_free(parentTree) }

        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "diff commit")
        options.flags = GIT_DIFF_SKIP_BINARY_CHECK.rawValue
        var diff: OpaquePointer?
        try check(git_diff_tree_to_tree(&diff, handle, parentTree, tree, &options), "diff commit")
        defer { git_diff_free(diff) }

        let count = git_diff_num_deltas(diff)
        var files: [String] = []
        files.reserveCapacity(count)
        for index in 0..<count {
            guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
            // Without rename detection both sides carry the same path; a deletion has it too.
            if let path = delta.new_file.path ?? delta.old_file.path {
                files.append(String(cString: path))
            }
        }
        return files
    }
}
