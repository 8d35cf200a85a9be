import Testing
import MinibotCore

@Suite struct InterpolationTests {
    let props = Interpolation(properties: ["branch": "main", "empty": "", "flag": "false", "revision": "abc123"])

    @Test func substitutesProperties() {
        let r = props.render("build %(prop:branch)s at %(prop:revision)s")
        #expect(r.value == "build main at abc123")
        #expect(r.missing.isEmpty)
        #expect(r.problems.isEmpty)
    }

    @Test func missingPropertyIsEmptyAndReportedOnce() {
        let r = props.render("[%(prop:nope)s][%(prop:nope)s][%(prop:other)s]")
        #expect(r.value == "[][][]")
        #expect(r.missing == ["nope", "other"])
    }

    @Test func dashDefaultAppliesWhenMissingOrEmpty() {
        #expect(props.render("%(prop:nope:-fallback)s").value == "fallback")
        #expect(props.render("%(prop:empty:-fallback)s").value == "fallback")
        #expect(props.render("%(prop:branch:-fallback)s").value == "main")
        #expect(props.render("%(prop:nope:-)s").value == "")
        #expect(props.render("%(prop:nope:-x)s").missing.isEmpty)
    }

    @Test func tildeDefaultAlsoAppliesWhenFalseLike() {
        #expect(props.render("%(prop:flag:~yes)s").value == "yes")
        #expect(props.render("%(prop:nope:~yes)s").value == "yes")
        #expect(props.render("%(prop:branch:~yes)s").value == "main")
    }

    @Test func plusGivesTextOnlyWhenSet() {
        #expect(props.render("make%(prop:branch:+ BRANCH=set)s").value == "make BRANCH=set")
        #expect(props.render("make%(prop:nope:+ X=1)s").value == "make")
    }

    @Test func percentSignsThatAreNotPlaceholdersStay() {
        #expect(props.render("100%% done").value == "100% done")
        #expect(props.render("date +%Y-%m-%d").value == "date +%Y-%m-%d")
        #expect(props.render("trailing %").value == "trailing %")
    }

    @Test func unsupportedAndUnterminatedPlaceholdersAreReportedAndKept() {
        let unsupported = props.render("x %(src::branch)s y")
        #expect(unsupported.value == "x %(src::branch)s y")
        #expect(unsupported.problems.count == 1)
        #expect(unsupported.problems.first?.contains("unsupported placeholder '%(src::branch)s'") == true)

        let open = props.render("echo %(prop:branch")
        #expect(open.value == "echo %(prop:branch")
        #expect(open.problems.first?.hasPrefix("unterminated placeholder") == true)
    }

    @Test func rendersArgvScriptsEnvAndSteps() {
        #expect(props.render(ShellCommand.argv(["git", "checkout", "%(prop:revision)s"])).value
            == .argv(["git", "checkout", "abc123"]))
        #expect(props.render(ShellCommand.script("echo %(prop:branch)s")).value == .script("echo main"))
        #expect(props.render(ShellCommand.script("echo %(prop:revision)s;x")).value == .script("echo abc123;x"))
        let env = props.render(env: ["BRANCH": "%(prop:branch)s", "X": "%(prop:x)s"])
        #expect(env.value == ["BRANCH": "main", "X": ""])
        #expect(env.missing == ["x"])

        let step = StepSpec(name: "t", action: .shell(.argv(["make", "%(prop:target:-all)s"])),
                            workdir: "build-%(prop:branch)s", env: ["REV": "%(prop:revision)s"])
        let rendered = props.render(step)
        #expect(rendered.value.action == .shell(.argv(["make", "all"])))
        #expect(rendered.value.workdir == "build-main")
        #expect(rendered.value.env == ["REV": "abc123"])
        #expect(rendered.value.name == "t")

        let git = props.render(StepSpec(name: "g", action: .git(GitCheckoutSpec(repository: "/srv/%(prop:repo)s.git",
                                                                                  branch: "%(prop:branch)s"))))
        #expect(git.value.action == .git(GitCheckoutSpec(repository: "/srv/.git", branch: "main")))
        #expect(git.missing == ["repo"])
    }
}
