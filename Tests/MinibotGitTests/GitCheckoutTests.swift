import Foundation
import MinibotGit
import MinibotTesting
import Testing

@Suite("GitCheckout: a worker's checkout of real repositories")
struct GitCheckoutTests {
    @Test func aBranchTipIsClonedAndCheckedOutDetached() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.commit(["f": "1\n"], message: "One\n")
        let tip = try fixture.commit(["f": "2\n", "src/g": "g\n"], message: "Two\n")
        try fixture.checkout("other", creating: true)
        try fixture.commit(["f": "other\n"], message: "Other\n")
        try fixture.push("main", "other")
        let directory = fixture.path("build/checkout")

        let got = try await GitCheckout.checkout(
            repository: fixture.remotePath, branch: "main", revision: nil, mode: .incremental, into: directory
        )
        #expect(got == tip)
        #expect(try read(directory, "f") == "2\n")
        #expect(try read(directory, "src/g") == "g\n")
        #expect(try read(directory, ".git/HEAD") == tip + "\n")
    }

    @Test func anExactRevisionIsCheckedOutEvenBehindTheTip() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let first = try fixture.commit(["f": "1\n"], message: "One\n")
        try fixture.commit(["f": "2\n", "later": "x\n"], message: "Two\n")
        try fixture.push("main")
        let directory = fixture.path("checkout")

        let got = try await GitCheckout.checkout(
            repository: "file://" + fixture.remotePath, branch: "main", revision: first, mode: .full, into: directory
        )
        #expect(got == first)
        #expect(try read(directory, "f") == "1\n")
        #expect(!FileManager.default.fileExists(atPath: directory + "/later"))
        #expect(try read(directory, ".git/HEAD") == first + "\n")
    }

    @Test func theDefaultBranchIsUsedWhenNoneIsNamed() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let main = try fixture.commit(["f": "1\n"], message: "One\n")
        try fixture.checkout("zzz", creating: true)
        try fixture.commit(["f": "z\n"], message: "Z\n")
        try fixture.push("main", "zzz")

        let got = try await GitCheckout.checkout(
            repository: fixture.remotePath, branch: nil, revision: nil, mode: .incremental, into: fixture.path("checkout")
        )
        #expect(got == main)
    }

    @Test func incrementalModeUpdatesTrackedFilesAndKeepsUntrackedOnes() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.commit(["f": "1\n", ".gitignore": "*.o\n", "gone": "g\n"], message: "One\n")
        try fixture.push("main")
        let directory = fixture.path("checkout")
        _ = try await GitCheckout.checkout(
            repository: fixture.remotePath, branch: "main", revision: nil, mode: .incremental, into: directory
        )
        try write(directory, "f", "edited by a build\n")
        try write(directory, "untracked.txt", "u\n")
        try write(directory, "out/main.o", "object\n")

        let second = try fixture.commit(["g": "new\n"], deleting: ["gone"], message: "Two\n")
        try fixture.push("main")
        let got = try await GitCheckout.checkout(
            repository: fixture.remotePath, branch: "main", revision: nil, mode: .incremental, into: directory
        )
        #expect(got == second)
        #expect(try read(directory, "f") == "1\n")
        #expect(try read(directory, "g") == "new\n")
        #expect(!FileManager.default.fileExists(atPath: directory + "/gone"))
        #expect(try read(directory, "untracked.txt") == "u\n")
        #expect(try read(directory, "out/main.o") == "object\n")
    }

    @Test func fullModeRemovesUntrackedAndIgnoredFiles() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let first = try fixture.commit(["f": "1\n", ".gitignore": "*.o\n"], message: "One\n")
        try fixture.push("main")
        let directory = fixture.path("checkout")
        _ = try await GitCheckout.checkout(
            repository: fixture.remotePath, branch: "main", revision: nil, mode: .incremental, into: directory
        )
        try write(directory, "f", "edited by a build\n")
        try write(directory, "untracked.txt", "u\n")
        try write(directory, "main.o", "object\n")
        try write(directory, "scratch/deep/file", "d\n")

        let got = try await GitCheckout.checkout(
            repository: fixture.remotePath, branch: "main", revision: nil, mode: .full, into: directory
        )
        #expect(got == first)
        #expect(try read(directory, "f") == "1\n")
        let left = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(left == [".git", ".gitignore", "f"])
    }

    @Test func anExistingCloneFollowsAChangedRepositoryURL() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let first = try fixture.commit(["f": "1\n"], message: "One\n")
        try fixture.push("main")
        let directory = fixture.path("checkout")
        _ = try await GitCheckout.checkout(
            repository: fixture.remotePath, branch: "main", revision: nil, mode: .incremental, into: directory
        )

        let moved = fixture.path("moved.git")
        try FileManager.default.moveItem(atPath: fixture.remotePath, toPath: moved)
        let got = try await GitCheckout.checkout(
            repository: moved, branch: "main", revision: nil, mode: .incremental, into: directory
        )
        #expect(got == first)
        #expect(try read(directory, ".git/config").contains("url = \(moved)"))
    }

    @Test func aDirectoryHoldingOtherFilesIsNotClonedInto() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.commit(["f": "1\n"], message: "One\n")
        try fixture.push("main")
        let directory = fixture.path("occupied")
        try write(directory, "precious.txt", "keep\n")
        await #expect(throws: GitError.self) {
            try await GitCheckout.checkout(
                repository: fixture.remotePath, branch: "main", revision: nil, mode: .full, into: directory
            )
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["precious.txt"])
    }

    @Test func anUnknownBranchIsAClearError() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.commit(["f": "1\n"], message: "One\n")
        try fixture.push("main")
        let error = try await #require(throws: GitError.self) {
            try await GitCheckout.checkout(
                repository: fixture.remotePath, branch: "nope", revision: nil, mode: .full, into: fixture.path("checkout")
            )
        }
        #expect(error.message.contains("nope"))
    }

    @Test func aMissingRepositoryIsAClearError() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let missing = fixture.path("missing.git")
        let error = try await #require(throws: GitError.self) {
            try await GitCheckout.checkout(
                repository: missing, branch: "main", revision: nil, mode: .full, into: fixture.path("checkout")
            )
        }
        #expect(error.repository == missing)
    }

    private func read(_ directory: String, _ path: String) throws -> String {
        try String(contentsOfFile: directory + "/" + path, encoding: .utf8)
    }

    private func write(_ directory: String, _ path: String, _ content: String) throws {
        let url = URL(fileURLWithPath: directory + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: url)
    }
}
