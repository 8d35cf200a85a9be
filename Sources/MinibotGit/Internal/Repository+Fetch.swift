import CLibgit2
import Foundation

extension Repository {
    /// Runs `body` with an in-memory remote for `url`, not written to the repository's config.
    ///
    /// The mirror's URL comes from master.cfg on every fetch, so nothing needs remembering.
    func withAnonymousRemote<Result>(url: String, _ body: (OpaquePointer) throws -> Result) throws -> Result {
        var remote: OpaquePointer?
        try GitError.check(git_remote_create_anonymous(&remote, handle, url), operation: "fetch", repository: url)
        defer { git_remote_free(remote) }
        guard let remote else { throw GitError(operation: "fetch", repository: url, message: "libgit2 returned no remote") }
        return try body(remote)
    }

    /// Runs `body` with the remote `name` pointing at `url`, creating or re-pointing it first.
    ///
    /// A worker's clone keeps a real `origin` so that build steps can use `git log origin/main`
    /// and the like; it follows the builder's configured URL if that changes.
    func withNamedRemote<Result>(_ name: String, url: String, _ body: (OpaquePointer) throws -> Result) throws -> Result {
        var remote: OpaquePointer?
        var code = git_remote_lookup(&remote, handle, name)
        if code == GIT_ENOTFOUND.rawValue {
            code = git_remote_create(&remote, handle, name, url)
        } else if code == 0, let found = remote, git_remote_url(found).map({ String(cString: $0) }) != url {
            git_remote_free(found)
            remote = nil
            code = git_remote_set_url(handle, name, url)
            if code == 0 { code = git_remote_lookup(&remote, handle, name) }
        }
        try GitError.check(code, operation: "configure remote \(name)", repository: path)
        defer { git_remote_free(remote) }
        guard let remote else { throw GitError(operation: "fetch", repository: url, message: "libgit2 returned no remote") }
        return try body(remote)
    }

    /// Fetches from `remote`, updating references as `refspecs` say (the remote's own when nil).
    ///
    /// FETCH_HEAD is not written: nothing reads it, and it would cost a file write on every
    /// poll of an unchanged repository.
    func fetch(
        _ remote: OpaquePointer,
        url: String,
        refspecs: [String]?,
        isPruning: Bool,
        tags: git_remote_autotag_option_t
    ) throws {
        var options = git_fetch_options()
        try GitError.check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), operation: "fetch", repository: url)
        options.prune = isPruning ? GIT_FETCH_PRUNE : GIT_FETCH_NO_PRUNE
        options.update_fetchhead = 0
        options.download_tags = tags
        options.callbacks.credentials = credentialsFromAgent

        // libgit2 copies the refspecs; these C strings are ours to free.
        let strings = (refspecs ?? []).map { strdup($0) }
        defer { strings.forEach { free($0) } }
        var pointers = strings
        var credentialAttempts = 0
        let code = pointers.withUnsafeMutableBufferPointer { buffer in
            withUnsafeMutablePointer(to: &credentialAttempts) { attempts in
                options.callbacks.payload = UnsafeMutableRawPointer(attempts)
                // An empty array makes libgit2 use the remote's configured refspecs.
                var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
                return git_remote_fetch(remote, &array, &options, "minibot: fetch")
            }
        }
        try GitError.check(code, operation: "fetch", repository: url)
    }

    /// Every reference whose full name starts with `prefix`, keyed by the rest of its name,
    /// with the commit it points to.
    ///
    /// A reference that cannot be resolved (a dangling symbolic one) has no head to report and
    /// is left out rather than failing the whole listing.
    func references(under prefix: String) throws -> [String: String] {
        var iterator: OpaquePointer?
        try check(git_reference_iterator_new(&iterator, handle), "list references")
        defer { git_reference_iterator_free(iterator) }
        var result: [String: String] = [:]
        while true {
            var name: UnsafePointer<CChar>?
            let code = git_reference_next_name(&name, iterator)
            if code == GIT_ITEROVER.rawValue { break }
            try check(code, "list references")
            guard let name else { continue }
            let fullName = String(cString: name)
            guard fullName.hasPrefix(prefix) else { continue }
            var oid = git_oid()
            guard git_reference_name_to_id(&oid, handle, name) == 0 else { continue }
            result[String(fullName.dropFirst(prefix.count))] = oid.hex
        }
        return result
    }

    /// The commit the remote's HEAD pointed to in the last fetch from `remote`: its default
    /// branch's tip. libgit2 keeps the advertised references after disconnecting.
    func advertisedHead(of remote: OpaquePointer, url: String) throws -> git_oid? {
        var heads: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
        var count = 0
        try GitError.check(git_remote_ls(&heads, &count, remote), operation: "list remote references", repository: url)
        guard let heads else { return nil }
        for index in 0..<count {
            if let head = heads[index], let name = head.pointee.name, String(cString: name) == "HEAD" {
                return head.pointee.oid
            }
        }
        return nil
    }
}

/// Answers libgit2's request for ssh credentials with the keys of the user's ssh-agent.
///
/// libgit2 asks again after each refused credential, so the agent is offered once per fetch
/// (the payload counts attempts) and then libgit2 gives up with an authentication error
/// instead of looping. Other kinds (user/password over https) are not ours to invent.
private let credentialsFromAgent: git_credential_acquire_cb = { out, _, usernameFromURL, allowedTypes, payload in
    guard let payload, allowedTypes & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 else {
        return GIT_PASSTHROUGH.rawValue
    }
    let attempts = payload.assumingMemoryBound(to: Int.self)
    attempts.pointee += 1
    guard attempts.pointee == 1 else { return GIT_PASSTHROUGH.rawValue }
    guard let usernameFromURL else { return git_credential_ssh_key_from_agent(out, "git") }
    return git_credential_ssh_key_from_agent(out, usernameFromURL)
}
