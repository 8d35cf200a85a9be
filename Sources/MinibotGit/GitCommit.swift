import Foundation

/// One commit as the poller turns it into a change.
public struct GitCommit: Sendable, Equatable {
    /// The full 40-character hexadecimal object id.
    public var revision: String
    public var authorName: String
    public var authorEmail: String
    public var committerName: String
    public var committerEmail: String
    /// The whole message as recorded in the commit, including its trailing newline.
    public var message: String
    /// The committer time, as Buildbot's git poller uses for a change's timestamp.
    public var time: Date
    /// Parent revisions, first parent first; empty for a root commit.
    public var parents: [String]
    /// Paths changed against the first parent, in path order; every file for a root commit.
    ///
    /// A merge lists what it brought into its first parent's line, as `git log --first-parent`
    /// would show; an empty commit lists nothing.
    public var files: [String]

    public init(
        revision: String,
        authorName: String,
        authorEmail: String,
        committerName: String,
        committerEmail: String,
        message: String,
        time: Date,
        parents: [String],
        files: [String]
    ) {
        self.revision = revision
        self.authorName = authorName
        self.authorEmail = authorEmail
        self.committerName = committerName
        self.committerEmail = committerEmail
        self.message = message
        self.time = time
        self.parents = parents
        self.files = files
    }
}
