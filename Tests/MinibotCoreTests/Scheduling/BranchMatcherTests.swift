import Testing
import MinibotCore

@Suite struct BranchMatcherTests {
    @Test func exactNameMatchesOnlyItself() throws {
        let m = try BranchMatcher(.exact("main"))
        #expect(m.matches("main"))
        #expect(!m.matches("main2"))
        #expect(!m.matches("feature/main"))
    }

    @Test func regexMustMatchTheWholeName() throws {
        let m = try BranchMatcher(.regex("release/[0-9]+\\.[0-9]+"))
        #expect(m.matches("release/1.0"))
        #expect(m.matches("release/12.34"))
        #expect(!m.matches("release/1.0-rc1"))
        #expect(!m.matches("my-release/1.0"))
    }

    @Test func invalidRegexIsAnErrorThatSaysWhatToFix() {
        #expect(throws: BranchMatcher.InvalidPattern.self) { try BranchMatcher(.regex("release/(")) }
        do {
            _ = try BranchMatcher(.regex("release/("))
        } catch {
            #expect(error.description.hasPrefix("branch_regex 'release/(' is not a valid regular expression"))
        }
    }

    @Test func schedulerSpecPrefersRegexAndDefaultsToAnyBranch() throws {
        let regex = try BranchMatcher(SingleBranchSchedulerSpec(name: "s", branch: "main", branchRegex: "feat-.*",
                                                                builders: ["b"]))
        #expect(regex.matches("feat-x"))
        #expect(!regex.matches("main"))
        let exact = try BranchMatcher(SingleBranchSchedulerSpec(name: "s", branch: "main", builders: ["b"]))
        #expect(exact.rule == .exact("main"))
        let any = try BranchMatcher(SingleBranchSchedulerSpec(name: "s", builders: ["b"]))
        #expect(any.matches("whatever"))
    }
}
