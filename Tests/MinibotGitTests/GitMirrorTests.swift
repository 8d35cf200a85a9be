import Foundation
import MinibotGit
import MinibotTesting
import Testing

@Suite("GitMirror: fetching and reading history from real repositories")
struct GitMirrorTests {
    @Test func firstFetchCreatesTheMirrorAndReturnsEveryBranchHead() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let main = try fixture.commit(["README": "hello\n"], message: "Initial\n")
        try fixture.checkout("feature/x/y", creating: true)
        let feature = try fixture.commit(["a.txt": "a\n"], message: "Feature\n")
        try fixture.push("main", "feature/x/y")

        let mirror = GitMirror(url: fixture.remotePath, path: fixture.path("mirrors/demo.git"))
        #expect(try await mirror.fetch() == ["main": main, "feature/x/y": feature])
        // Unchanged remote: same answer, from the existing mirror.
        #expect(try await mirror.fetch() == ["main": main, "feature/x/y": feature])
        // A new instance over the same directory reuses the mirror on disk.
        let again = GitMirror(url: "file://" + fixture.remotePath, path: fixture.path("mirrors/demo.git"))
        #expect(try await again.fetch() == ["main": main, "feature/x/y": feature])
    }

    @Test func newCommitsAreListedOldestFirstWithTheirDetails() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let first = try fixture.commit(["README": "hello\n", "old.txt": "old\n"], message: "Initial\n")
        try fixture.push("main")
        let mirror = GitMirror(url: fixture.remotePath, path: fixture.path("mirror.git"))
        _ = try await mirror.fetch()

        let grace = GitFixture.Person(name: "Grace Hopper", email: "grace@example.com")
        let linus = GitFixture.Person(name: "Linus", email: "linus@example.com")
        let t1 = Date(timeIntervalSince1970: 1_700_000_000)
        let t2 = Date(timeIntervalSince1970: 1_700_000_100)
        let second = try fixture.commit(["src/deep/a.swift": "a\n"], message: "Add a\n\nWith a body.\n", author: grace, date: t1)
        let third = try fixture.commit(
            ["README": "hello again\n"], deleting: ["old.txt"], message: "Touch readme\n",
            author: linus, committer: grace, date: t2
        )
        try fixture.push("main")

        let heads = try await mirror.fetch()
        #expect(heads == ["main": third])
        let commits = try await mirror.commits(toward: third, excluding: [first], limit: 100)
        #expect(commits == [
            GitCommit(
                revision: second, authorName: "Grace Hopper", authorEmail: "grace@example.com",
                committerName: "Ada Lovelace", committerEmail: "ada@example.com",
                message: "Add a\n\nWith a body.\n", time: t1, parents: [first], files: ["src/deep/a.swift"]
            ),
            GitCommit(
                revision: third, authorName: "Linus", authorEmail: "linus@example.com",
                committerName: "Grace Hopper", committerEmail: "grace@example.com",
                message: "Touch readme\n", time: t2, parents: [second], files: ["README", "old.txt"]
            ),
        ])
    }

    @Test func aRootCommitListsAllItsFiles() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let root = try fixture.commit(["b": "b\n", "a/1": "1\n", "a/2": "2\n"], message: "Root\n")
        try fixture.push("main")
        let mirror = GitMirror(url: fixture.remotePath, path: fixture.path("mirror.git"))
        _ = try await mirror.fetch()

        let commits = try await mirror.commits(toward: root, excluding: [], limit: 10)
        #expect(commits.map(\.files) == [["a/1", "a/2", "b"]])
        #expect(commits.first?.parents == [])
    }

    @Test func aForcePushListsOnlyCommitsNotSeenBefore() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let a = try fixture.commit(["f": "a\n"], message: "A\n")
        let b = try fixture.commit(["f": "b\n"], message: "B\n")
        let c = try fixture.commit(["f": "c\n"], message: "C\n")
        try fixture.push("main")
        let mirror = GitMirror(url: fixture.remotePath, path: fixture.path("mirror.git"))
        _ = try await mirror.fetch()

        try fixture.resetHard(to: a)
        let d = try fixture.commit(["f": "d\n"], message: "D\n")
        let e = try fixture.commit(["g": "e\n"], message: "E\n")
        try fixture.push("main", force: true)

        #expect(try await mirror.fetch() == ["main": e])
        let commits = try await mirror.commits(toward: e, excluding: [a, b, c], limit: 100)
        #expect(commits.map(\.revision) == [d, e])
        #expect(commits.map(\.files) == [["f"], ["g"]])
    }

    @Test func aDeletedBranchDisappearsFromTheHeads() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let main = try fixture.commit(["f": "1\n"], message: "Main\n")
        try fixture.checkout("release/1.0", creating: true)
        try fixture.commit(["f": "2\n"], message: "Release\n")
        try fixture.push("main", "release/1.0")
        let mirror = GitMirror(url: fixture.remotePath, path: fixture.path("mirror.git"))
        #expect(try await mirror.fetch().keys.sorted() == ["main", "release/1.0"])

        try fixture.deleteRemoteBranch("release/1.0")
        #expect(try await mirror.fetch() == ["main": main])
    }

    @Test func aNewBranchListsOnlyWhatItAdds() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let main = try fixture.commit(["f": "1\n"], message: "Main\n")
        try fixture.push("main")
        let mirror = GitMirror(url: fixture.remotePath, path: fixture.path("mirror.git"))
        _ = try await mirror.fetch()

        try fixture.checkout("topic", creating: true)
        let topic = try fixture.commit(["t": "t\n"], message: "Topic\n")
        try fixture.push("topic")
        let heads = try await mirror.fetch()
        #expect(heads == ["main": main, "topic": topic])
        let commits = try await mirror.commits(toward: topic, excluding: [main], limit: 100)
        #expect(commits.map(\.revision) == [topic])
    }

    @Test func aMergeListsTheFilesOfItsFirstParentDiff() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let base = try fixture.commit(["base": "0\n"], message: "Base\n")
        try fixture.checkout("side", creating: true)
        let side = try fixture.commit(["side/one": "1\n", "side/two": "2\n"], message: "Side\n")
        try fixture.checkout("main")
        let mainline = try fixture.commit(["main.txt": "m\n"], message: "Mainline\n")
        let merge = try fixture.merge("side", message: "Merge side\n")
        try fixture.push("main")
        let mirror = GitMirror(url: fixture.remotePath, path: fixture.path("mirror.git"))
        _ = try await mirror.fetch()

        let commits = try await mirror.commits(toward: merge, excluding: [base], limit: 100)
        #expect(Set(commits.map(\.revision)) == [side, mainline, merge])
        #expect(commits.last?.revision == merge)
        #expect(commits.last?.parents == [mainline, side])
        #expect(commits.last?.files == ["side/one", "side/two"])
    }

    @Test func anEmptyCommitHasNoFiles() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let first = try fixture.commit(["f": "1\n"], message: "First\n")
        let empty = try fixture.commit(message: "Nothing changed\n")
        try fixture.push("main")
        let mirror = GitMirror(url: fixture.remotePath, path: fixture.path("mirror.git"))
        _ = try await mirror.fetch()

        let commits = try await mirror.commits(toward: empty, excluding: [first], limit: 100)
        #expect(commits.map(\.revision) == [empty])
        #expect(commits.first?.files == [])
    }

    @Test func theLimitKeepsTheNewestCommits() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        var revisions: [String] = []
        for index in 0..<6 {
            revisions.append(try fixture.commit(["f": "\(index)\n"], message: "Commit \(index)\n"))
        }
        try fixture.push("main")
        let mirror = GitMirror(url: fixture.remotePath, path: fixture.path("mirror.git"))
        _ = try await mirror.fetch()

        let commits = try await mirror.commits(toward: revisions[5], excluding: [revisions[0]], limit: 2)
        #expect(commits.map(\.revision) == [revisions[4], revisions[5]])
        #expect(try await mirror.commits(toward: revisions[5], excluding: [], limit: 0) == [])
    }

    @Test func knownRevisionsTheMirrorLacksAreIgnored() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let first = try fixture.commit(["f": "1\n"], message: "First\n")
        let second = try fixture.commit(["f": "2\n"], message: "Second\n")
        try fixture.push("main")
        let mirror = GitMirror(url: fixture.remotePath, path: fixture.path("mirror.git"))
        _ = try await mirror.fetch()

        let missing = String(repeating: "ab", count: 20)
        let commits = try await mirror.commits(toward: second, excluding: [missing, "not a sha", first], limit: 100)
        #expect(commits.map(\.revision) == [second])
    }

    @Test func aCommitWithTenThousandFilesIsListedInFull() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let first = try fixture.commit(["README": "x\n"], message: "First\n")
        var files: [String: String] = [:]
        for index in 0..<10_000 {
            files["many/dir\(index % 100)/file\(index).txt"] = "\(index)\n"
        }
        let big = try fixture.commitBypassingWorkTree(files, message: "Ten thousand files\n")
        try fixture.push("main")
        let mirror = GitMirror(url: fixture.remotePath, path: fixture.path("mirror.git"))
        _ = try await mirror.fetch()

        let commits = try await mirror.commits(toward: big, excluding: [first], limit: 100)
        #expect(commits.count == 1)
        #expect(commits.first?.files.count == 10_000)
        #expect(Set(commits.first?.files ?? []) == Set(files.keys))
    }

    @Test func aMissingRepositoryIsAClearError() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let missing = fixture.path("does/not/exist.git")
        let mirror = GitMirror(url: missing, path: fixture.path("mirror.git"))
        let error = try await #require(throws: GitError.self) { try await mirror.fetch() }
        #expect(error.operation == "fetch")
        #expect(error.repository == missing)
        #expect(error.description.contains(missing))
        #expect(!error.message.isEmpty)
    }

    @Test func aBadURLIsAClearError() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let mirror = GitMirror(url: "nosuchscheme://example.invalid/repo.git", path: fixture.path("mirror.git"))
        let error = try await #require(throws: GitError.self) { try await mirror.fetch() }
        #expect(error.repository == "nosuchscheme://example.invalid/repo.git")
        #expect(!error.message.isEmpty)
    }

    @Test func anUnknownHeadIsAnError() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.commit(["f": "1\n"], message: "First\n")
        try fixture.push("main")
        let mirror = GitMirror(url: fixture.remotePath, path: fixture.path("mirror.git"))
        _ = try await mirror.fetch()
        await #expect(throws: GitError.self) {
            try await mirror.commits(toward: String(repeating: "0", count: 40), excluding: [], limit: 10)
        }
    }

    @Test func aMirrorPathHoldingOtherFilesIsRefused() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.commit(["f": "1\n"], message: "First\n")
        try fixture.push("main")
        let occupied = fixture.path("occupied")
        try FileManager.default.createDirectory(atPath: occupied, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: occupied + "/precious.txt", contents: Data("keep\n".utf8))
        let mirror = GitMirror(url: fixture.remotePath, path: occupied)
        await #expect(throws: GitError.self) { try await mirror.fetch() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: occupied) == ["precious.txt"])
    }

    @Test(.enabled(if: getuid() == 0, "only root can give the repository to another user"))
    func aRepositoryOwnedByAnotherUserStillOpens() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let main = try fixture.commit(["f": "1\n"], message: "First\n")
        try fixture.push("main")
        try giveToNobody(fixture.remotePath)

        let mirror = GitMirror(url: fixture.remotePath, path: fixture.path("mirror.git"))
        #expect(try await mirror.fetch() == ["main": main])
        try giveToNobody(fixture.path("mirror.git"))
        let reopened = GitMirror(url: fixture.remotePath, path: fixture.path("mirror.git"))
        #expect(try await reopened.commits(toward: main, excluding: [], limit: 1).map(\.revision) == [main])
    }

    private func giveToNobody(_ path: String) throws {
        let nobody: [FileAttributeKey: Any] = [.ownerAccountID: 65534, .groupOwnerAccountID: 65534]
        try FileManager.default.setAttributes(nobody, ofItemAtPath: path)
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let relative = enumerator?.nextObject() as? String {
            try FileManager.default.setAttributes(nobody, ofItemAtPath: path + "/" + relative)
        }
    }
}
