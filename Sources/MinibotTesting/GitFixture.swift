import Foundation

/// Real git repositories in a temporary directory, driven by the git CLI, for tests.
///
/// It holds a bare `remote` repository (what a poller polls or a worker clones) and a `work`
/// clone that commits and pushes to it, so tests publish history the way people do, including
/// force-pushes and branch deletions. The environment is isolated from the machine's git
/// configuration, and identities and dates are fixed per commit.
///
/// Testing code only: it runs `git` through Foundation's `Process`, which blocks the calling
/// thread until git exits.
public struct GitFixture: Sendable {
    /// An author or committer.
    public struct Person: Sendable {
        public var name: String
        public var email: String

        public init(name: String, email: String) {
            self.name = name
            self.email = email
        }

        public static let ada = Person(name: "Ada Lovelace", email: "ada@example.com")
    }

    /// A git command that failed.
    public struct CommandFailed: Error, CustomStringConvertible {
        public let arguments: [String]
        public let status: Int32
        public let output: String
        public var description: String { "git \(arguments.joined(separator: " ")) exited \(status): \(output)" }
    }

    /// The temporary directory holding everything; removed by ``remove()``.
    public let root: URL
    /// The bare repository standing for the server.
    public var remotePath: String { root.appendingPathComponent("remote.git").path }
    /// The work clone that commits and pushes.
    public var workPath: String { root.appendingPathComponent("work").path }

    /// Creates the remote and the work clone, on branch `main`, with no commits.
    public init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("minibot-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try run(["init", "--quiet", "--bare", "--initial-branch=main", remotePath], in: root.path)
        try run(["init", "--quiet", "--initial-branch=main", workPath], in: root.path)
        try git("remote", "add", "origin", remotePath)
    }

    /// Deletes the temporary directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(at: root)
    }

    /// A path under ``root`` for things a test makes (mirrors, checkouts).
    public func path(_ name: String) -> String {
        root.appendingPathComponent(name).path
    }

    /// Writes `files` (path to content) and deletes `deleting` in the work clone, then commits
    /// everything, even if nothing changed. Returns the new commit's sha.
    @discardableResult
    public func commit(
        _ files: [String: String] = [:],
        deleting: [String] = [],
        message: String,
        author: Person = .ada,
        committer: Person = .ada,
        date: Date? = nil
    ) throws -> String {
        let work = URL(fileURLWithPath: workPath)
        for (path, content) in files {
            let url = work.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: url)
        }
        for path in deleting {
            try FileManager.default.removeItem(at: work.appendingPathComponent(path))
        }
        try git("add", "--all")
        var environment = [
            "GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": committer.name, "GIT_COMMITTER_EMAIL": committer.email,
        ]
        if let date {
            let stamp = "@\(Int(date.timeIntervalSince1970)) +0000"
            environment["GIT_AUTHOR_DATE"] = stamp
            environment["GIT_COMMITTER_DATE"] = stamp
        }
        try run(["commit", "--quiet", "--allow-empty", "--no-verify", "-m", message], in: workPath, environment: environment)
        return try revision("HEAD")
    }

    /// Commits `files` on the current branch straight into the object database with
    /// `git fast-import`, without writing them to the work tree. Returns the new commit's sha.
    ///
    /// For very large commits: one pack file instead of thousands of files to write and stage,
    /// which on a busy disk is the difference between a second and minutes. The branch moves
    /// but the index and work tree do not, so make it the last commit on its branch, or call
    /// `resetHard(to: "HEAD")` afterwards. Paths must not contain newlines or start with `"`.
    @discardableResult
    public func commitBypassingWorkTree(_ files: [String: String], message: String, author: Person = .ada) throws -> String {
        let branch = try git("symbolic-ref", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let parent = try? revision("HEAD")
        var stream = "commit \(branch)\n"
        stream += "committer \(author.name) <\(author.email)> \(Int(Date().timeIntervalSince1970)) +0000\n"
        stream += "data \(message.utf8.count)\n\(message)\n"
        if let parent { stream += "from \(parent)\n" }
        for (path, content) in files.sorted(by: { $0.key < $1.key }) {
            stream += "M 100644 inline \(path)\ndata \(content.utf8.count)\n\(content)\n"
        }
        try run(["fast-import", "--quiet"], in: workPath, input: Data(stream.utf8))
        return try revision("HEAD")
    }

    /// Switches the work clone to `branch`, creating it at `startPoint` (or HEAD) if asked.
    public func checkout(_ branch: String, creating: Bool = false, at startPoint: String? = nil) throws {
        if creating {
            try git(["checkout", "--quiet", "-b", branch] + (startPoint.map { [$0] } ?? []))
        } else {
            try git("checkout", "--quiet", branch)
        }
    }

    /// Merges `branch` into the current branch with a merge commit; returns its sha.
    @discardableResult
    public func merge(_ branch: String, message: String) throws -> String {
        try run(
            ["merge", "--quiet", "--no-ff", "--no-edit", "-m", message, branch],
            in: workPath,
            environment: ["GIT_AUTHOR_NAME": Person.ada.name, "GIT_AUTHOR_EMAIL": Person.ada.email,
                          "GIT_COMMITTER_NAME": Person.ada.name, "GIT_COMMITTER_EMAIL": Person.ada.email]
        )
        return try revision("HEAD")
    }

    /// Moves the current branch to `revision`, discarding later commits (to rewrite history).
    public func resetHard(to revision: String) throws {
        try git("reset", "--quiet", "--hard", revision)
    }

    /// Publishes `branches` to the remote; `force` allows rewriting them there.
    public func push(_ branches: String..., force: Bool = false) throws {
        let refspecs = branches.map { "\(force ? "+" : "")refs/heads/\($0):refs/heads/\($0)" }
        try git(["push", "--quiet", "origin"] + refspecs)
    }

    /// Deletes `branch` on the remote.
    public func deleteRemoteBranch(_ branch: String) throws {
        try git("push", "--quiet", "origin", "--delete", branch)
    }

    /// The full sha that `revision` names in the work clone.
    public func revision(_ revision: String) throws -> String {
        try git("rev-parse", "--verify", "\(revision)^{commit}").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs git in the work clone and returns its standard output.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        try git(arguments)
    }

    /// Runs git in the work clone and returns its standard output.
    @discardableResult
    public func git(_ arguments: [String]) throws -> String {
        try run(arguments, in: workPath)
    }

    @discardableResult
    private func run(
        _ arguments: [String],
        in directory: String,
        environment extra: [String: String] = [:],
        input: Data? = nil
    ) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        // Keep the machine's and the user's git configuration (signing, hooks, templates) out.
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment.merge(extra) { _, new in new }
        let result = try Spawn.run("/usr/bin/env", ["git"] + arguments, environment: environment,
                                   directory: directory, input: input, scratch: root)
        guard result.status == 0 else {
            throw CommandFailed(arguments: arguments, status: result.status,
                                output: String(decoding: result.stderr, as: UTF8.self))
        }
        return String(decoding: result.stdout, as: UTF8.self)
    }
}
