import MinibotCore
import Testing

@Suite struct GitRefNameTests {
    @Test("names git accepts", arguments: [
        "main", "feature/x", "release-1.2", "v1.0.0", "refs/heads/main", "a.b/c_d", "with;semicolon", "x{y}", "é",
        "a@b", "1", "HEAD",
    ])
    func valid(_ name: String) {
        #expect(GitRefName.problem(name) == nil, "\(name)")
    }

    @Test("names git refuses", arguments: [
        ("", "empty"), ("@", "single"), ("a..b", ".."), ("a b", "space"), ("a\tb", "control"), ("a\u{7F}", "control"),
        ("a~1", "~"), ("a^", "^"), ("a:b", ":"), ("a?", "?"), ("a*", "*"), ("a[b", "["), ("a\\b", "\\"),
        ("-rf", "starts with '-'"), ("/main", "starts with '/'"), ("main/", "ends with '/'"), ("main.lock", ".lock"),
        ("a.lock/b", ".lock"), ("a@{1}", "@{"), ("a//b", "//"), ("main.", "ends with '.'"), (".hidden", "'.'"),
        ("a/.b", "'.'"), ("new\nline", "control"),
    ])
    func invalid(_ name: String, _ mentions: String) {
        let problem = GitRefName.problem(name)
        #expect(problem?.contains(mentions) == true, "\(name): \(problem ?? "accepted")")
    }

    @Test func revisionsAreCommitIdsOrPlainRefNames() {
        for ok in ["abcd", "0123456789abcdef0123456789abcdef01234567", String(repeating: "a", count: 64), "ABCDEF12",
                   "main", "v1.2.3", "origin/main", "abc", "release+1"] {
            #expect(GitRefName.revisionProblem(ok) == nil, "\(ok)")
        }
        for bad in ["x;touch${IFS}PWNED", "$(id)", "a b", "`id`", "a..b", "-x", "a|b", "a&b", "a'b", "", "a\nb"] {
            #expect(GitRefName.revisionProblem(bad) != nil, "\(bad)")
        }
        // 65 hex digits are no commit id, but still a plain ref name.
        #expect(GitRefName.revisionProblem(String(repeating: "a", count: 65)) == nil)
    }

    @Test func sourceProblemNamesTheFieldAndQuotesTheValue() {
        #expect(GitRefName.sourceProblem(branch: "main", revision: "abc123") == nil)
        #expect(GitRefName.sourceProblem(branch: nil, revision: nil) == nil)
        let branch = GitRefName.sourceProblem(branch: "a..b", revision: nil)
        #expect(branch?.hasPrefix("branch \"a..b\"") == true, "\(branch ?? "")")
        let revision = GitRefName.sourceProblem(branch: "main", revision: "x;y\nz")
        #expect(revision?.hasPrefix("revision \"x;y\\nz\"") == true, "\(revision ?? "")")
    }
}
