import MinibotConfig
import MinibotCore
import Testing

@Suite struct MasterConfigLoaderTests {
    @Test func defaults() throws {
        let config = try load(minimal)
        #expect(config.title == "Minibot")
        #expect(config.db == "state.sqlite")
        #expect(config.www == WWWConfig(port: 8010, bind: "127.0.0.1"))
        #expect(config.workers[0] == WorkerSpec(name: "w1", password: "p1", maxBuilds: 1))
        let step = try #require(config.builders.first?.steps.first)
        #expect(step == StepSpec(name: "make", action: .shell(.argv(["make", "test"]))))
        #expect(step.haltOnFailure && step.flunkOnFailure && !step.warnOnFailure)
        #expect(config.builders[0].collapseRequests)
        #expect(config.plugins.isEmpty)
    }

    /// Issue 12: an empty (truncated) file is refused, so a reload cannot wipe a running master.
    @Test func anEmptyOrIncompleteFileIsRefused() throws {
        #expect(problems("") == ["1:1: master.cfg is empty (or holds only comments); a configuration needs at least 'workers' and 'builders'"])
        #expect(problems("# just a comment\n\n").count == 1)
        // A file cut short after its workers parses, but a master needs builders.
        let truncated = "workers:\n  - {name: w1, password: p1}\n"
        #expect(throws: ConfigErrors.self) {
            try MasterConfigLoader.parse(text: truncated, plugins: demoPlugins, requireBuilders: true)
        }
        #expect(try MasterConfigLoader.parse(text: minimal, plugins: demoPlugins, requireBuilders: true).builders.count == 1)
    }

    @Test func distributorOrder() throws {
        #expect(try load(minimal).servingOrder == .fair)
        #expect(try load(minimal + "\ndistributor: {order: fifo}\n").servingOrder == .fifo)
        #expect(problems(minimal + "\ndistributor: {order: lifo}\n").first?.contains("'lifo' is not a valid 'order'") == true)
    }

    /// Issue 12: nine nested anchors of nine aliases each would expand to 9^9 values.
    @Test func aliasExpansionHasABudget() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let aliases = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(aliases)]\n"
        }
        let found = problems(text)
        #expect(found.contains { $0.contains("expands to more than 200000 values") }, "\(found)")
        // Reported where the alias is written.
        #expect(found.contains { $0.hasPrefix("7:1:") || $0.hasPrefix("6:1:") || $0.hasPrefix("8:1:") || $0.hasPrefix("9:1:") }, "\(found)")
    }

    @Test func deepNestingIsRefusedBeforeParsing() {
        let found = problems("workers: " + String(repeating: "[", count: 100_000))
        #expect(found == ["1:74: '[' and '{' are nested more than 64 levels deep here"])
        // Brackets inside quotes and comments do not count.
        #expect(problems(minimal + "\ntitle: \"" + String(repeating: "[", count: 100) + "\" # {{{{\n").isEmpty)
        #expect(problems(minimal + "\ntitle: don't [[ stop\n").isEmpty)
    }

    /// Issue 12: no duration in master.cfg may be infinite or absurd.
    @Test(arguments: ["inf", "infinity", "1e300", ".inf", "400d", "nan"])
    func durationsAreBounded(_ text: String) {
        let found = problems(minimal + "\njanitor: {interval: \(text)}\n")
        #expect(found.count == 1 && found[0].contains("is not a duration"), "\(found)")
    }

    @Test func fullShape() throws {
        let config = try load("""
            title: Full
            www: {port: 9000, bind: 0.0.0.0, admin_token: tok, change_hook: {secret: s3}}
            db: /var/lib/minibot/state.sqlite
            workers:
              - {name: w1, password: p1, max_builds: 3, properties: {os: linux, cores: 8}}
            change_sources:
              - git_poller: {name: a, repository: "https://example.com/a.git", branches: all, poll_interval: 30s}
              - git_poller: {name: b, repository: "git@example.com:b.git", branches: [main, dev]}
              - git_poller: {name: c, repository: "ssh://git@example.com/c.git", branches: main}
            schedulers:
              - single_branch: {name: rel, branch_regex: "release/.*", files: ["Sources/**"], builders: [test]}
              - force: {name: force, builders: [test]}
            locks:
              - {name: db, max_count: 2}
            builders:
              - name: test
                workers: [w1]
                locks: [db, {name: db, access: exclusive}]
                collapse_requests: false
                tags: nightly
                description: everything
                properties: {a: b}
                steps:
                  - git: {repository: "file:///srv/a.git", mode: full, branch: dev, workdir: src, timeout: 1m}
                  - shell:
                      command: ./configure --prefix=/usr && make
                      env: {CC: clang}
                      timeout: 1h30m
                      halt_on_failure: no
                      flunk_on_failure: false
                      warn_on_failure: yes
                      locks: [{name: db}]
            """)
        #expect(config.title == "Full")
        #expect(config.www == WWWConfig(port: 9000, bind: "0.0.0.0", adminToken: "tok", changeHookSecret: "s3"))
        #expect(config.db == "/var/lib/minibot/state.sqlite")
        #expect(config.workers == [WorkerSpec(name: "w1", password: "p1", maxBuilds: 3,
                                              properties: ["os": "linux", "cores": "8"])])
        #expect(config.changeSources == [
            .gitPoller(GitPollerSpec(name: "a", repository: "https://example.com/a.git", branches: .all, pollInterval: 30)),
            .gitPoller(GitPollerSpec(name: "b", repository: "git@example.com:b.git", branches: .only(["main", "dev"]))),
            .gitPoller(GitPollerSpec(name: "c", repository: "ssh://git@example.com/c.git", branches: .only(["main"]))),
        ])
        #expect(config.schedulers == [
            .singleBranch(SingleBranchSchedulerSpec(name: "rel", branchRegex: "release/.*", files: ["Sources/**"],
                                                    builders: ["test"])),
            .force(ForceSchedulerSpec(name: "force", builders: ["test"])),
        ])
        #expect(config.locks == [LockSpec(name: "db", kind: .master, maxCount: 2)])
        let builder = try #require(config.builders.first)
        #expect(builder.locks == [LockAccess(name: "db"), LockAccess(name: "db", access: .exclusive)])
        #expect(!builder.collapseRequests && builder.tags == ["nightly"] && builder.description == "everything")
        #expect(builder.properties == ["a": "b"])
        #expect(builder.steps == [
            StepSpec(name: "git", action: .git(GitCheckoutSpec(repository: "file:///srv/a.git", mode: .full, branch: "dev")),
                     workdir: "src", timeout: 60),
            StepSpec(name: "configure", action: .shell(.script("./configure --prefix=/usr && make")),
                     env: ["CC": "clang"], timeout: 5400, haltOnFailure: false, flunkOnFailure: false,
                     warnOnFailure: true, locks: [LockAccess(name: "db")]),
        ])
    }

    @Test func misspeltKeyGetsDidYouMean() {
        let found = problems(minimal + """

            schedulers:
              - single_branch:
                  name: main
                  branch: main
                  tree_stabel_timer: 2s
                  builders: [test]
            """)
        #expect(found == ["13:7: unknown key 'tree_stabel_timer' in the single_branch scheduler; "
                          + "did you mean 'tree_stable_timer'?"])
    }

    @Test func misspeltWorkerNameGetsDidYouMean() {
        let found = problems(minimal.replacingOccurrences(of: "workers: [w1, w2]", with: "workers: [w1, w3]"))
        #expect(found == ["6:19: unknown worker 'w3'; did you mean 'w1'?"])
        let far = problems(minimal.replacingOccurrences(of: "workers: [w1, w2]", with: "workers: [w1, gpu-box]"))
        #expect(far == ["6:19: unknown worker 'gpu-box'; known workers: w1, w2"])
    }

    @Test func wrongTypes() {
        let found = problems("""
            www: [8010]
            workers: {name: w1}
            builders:
              - name: test
                workers: w1
                steps: []
            """)
        #expect(found == [
            "1:6: expected a mapping for 'www', found a list",
            "2:10: expected a list for 'workers', found a mapping",
            "5:14: expected a list for 'workers', found 'w1'",
            "6:5: builder 'test' has no steps; add at least one under 'steps' (shell or git)",
        ])
    }

    @Test func portsAndCountsOutOfRange() {
        let found = problems("""
            www: {port: 70000}
            workers:
              - {name: w1, password: p, max_builds: 0}
            locks:
              - {name: l, max_count: -1}
            """)
        #expect(found == [
            "1:13: 'port' must be between 0 and 65535, found 70000",
            "3:41: 'max_builds' must be at least 1, found 0",
            "5:26: 'max_count' must be at least 1, found -1",
        ])
    }

    @Test func quotedNumberIsExplained() {
        #expect(problems("www: {port: \"8010\"}") == [
            "1:13: expected an integer for 'port', found the quoted string \"8010\"; write the number without quotes",
        ])
    }

    @Test func badDurationInConfig() {
        let found = problems(minimal + """

            change_sources:
              - git_poller: {name: d, repository: /srv/d.git, poll_interval: 10 minutes please}
            """)
        #expect(found.count == 1)
        #expect(found[0].hasPrefix("10:66: '10 minutes please' is not a duration for 'poll_interval'"))
    }

    @Test func duplicateNamesPointAtTheSecond() {
        let found = problems("""
            workers:
              - {name: w1, password: a}
              - {name: w1, password: b}
            builders:
              - {name: b, workers: [w1], steps: [{shell: {command: ls}}]}
              - {name: b, workers: [w1], steps: [{shell: {command: ls}}]}
            locks:
              - {name: l}
              - {name: l}
            """)
        #expect(found == [
            "3:12: duplicate worker name 'w1'; the first one is at line 2, column 12; names must be unique",
            "6:12: duplicate builder name 'b'; the first one is at line 5, column 12; names must be unique",
            "9:12: duplicate lock name 'l'; the first one is at line 8, column 12; names must be unique",
        ])
    }

    @Test func unknownLockAndBuilderReferences() {
        let found = problems(minimal + """

              - name: other
                workers: [w2]
                locks: [{name: cpus, access: exclusiv}]
                steps: [{shell: {command: ls, locks: [gpu]}}]
            locks: [{name: cpu, kind: worker}]
            schedulers:
              - force: {name: f, builders: [tset, other]}
            """)
        #expect(found == [
            "11:20: unknown lock 'cpus'; did you mean 'cpu'?",
            "11:34: 'exclusiv' is not a valid 'access': use one of counting, exclusive; did you mean 'exclusive'?",
            "12:43: unknown lock 'gpu'; did you mean 'cpu'?",
            "15:33: unknown builder 'tset'; did you mean 'test'?",
        ])
    }

    @Test func builderWithNoWorkersAndMissingKeys() {
        let found = problems("""
            builders:
              - name: lonely
                workers: []
                steps:
                  - shell: {name: x}
                  - git: {}
            """)
        #expect(found == [
            "3:5: builder 'lonely' has no workers; list at least one under 'workers'",
            "5:16: missing 'command' in a shell step; it is required",
            "6:14: missing 'repository' in a git step; it is required",
        ])
    }

    @Test(arguments: [
        ("htp://example.com/x.git", "unknown URL scheme 'htp://'"),
        ("\"\"", "the repository is empty"),
        ("\"/srv/my repo.git\"", "contains a space"),
        ("\"https:///x.git\"", "names no host"),
        ("\"host:\"", "no path"),
    ])
    func implausibleRepositories(repository: String, message: String) {
        let found = problems("change_sources:\n  - git_poller: {name: d, repository: \(repository)}\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("2:39: ") == true)
        #expect(found.first?.contains(message) == true)
    }

    @Test(arguments: ["demo.git", "../repos/x", "/srv/git/x.git", "file:///srv/x.git", "http://h/x", "https://h/x",
                      "ssh://git@h:22/x", "git://h/x", "git@github.com:o/x.git", "h:x"])
    func plausibleRepositories(repository: String) {
        #expect(problems("change_sources:\n  - git_poller: {name: d, repository: \"\(repository)\"}\n") == [])
    }

    @Test func schedulerBranchChecks() {
        let found = problems(minimal + """

            schedulers:
              - single_branch: {name: both, branch: main, branch_regex: "m.*", builders: [test]}
              - single_branch: {name: neither, builders: [test]}
              - single_branch: {name: bad, branch_regex: "release/(", builders: [test]}
            """)
        #expect(found == [
            "10:47: set either 'branch' or 'branch_regex', not both",
            "11:21: a single_branch scheduler needs 'branch' (a branch name) or 'branch_regex' "
                + "(a regular expression the whole branch name must match)",
            "12:32: 'branch_regex' is not a valid regular expression: 'release/('",
        ])
    }

    @Test func stepsAreOneKeyMappings() {
        let found = problems(minimal.replacingOccurrences(of: "- shell: {command: [make, test]}", with: """
            - shel: {command: ls}
                  - shell:
                    command: ls
                  - {shell: {command: []}}
                  - shell: {command: {a: b}}
            """))
        #expect(found == [
            "8:9: unknown kind 'shel' for a step; did you mean 'shell'?",
            "10:9: a step must be a mapping with one key naming its kind (shell, git), found keys 'shell', 'command'; "
                + "indent its settings under 'shell:' or write them as 'shell: {...}'",
            "11:18: 'command' is an empty list; write the program and its arguments, e.g. [make, test]",
            "12:26: expected a list (program and arguments) or a string (for /bin/sh -c) for 'command', found a mapping",
        ])
    }

    @Test func shellStepNamesDefaultToTheProgram() throws {
        let config = try load(minimal.replacingOccurrences(of: "- shell: {command: [make, test]}", with: """
            - shell: {command: [/usr/bin/env, make]}
                  - shell: {command: "  echo hi | tr a-z A-Z"}
                  - shell: {command: ls, name: listing}
            """))
        #expect(config.builders[0].steps.map(\.name) == ["env", "echo", "listing"])
        #expect(config.builders[0].steps[1].action == .shell(.script("  echo hi | tr a-z A-Z")))
    }

    @Test func pluginsAreCheckedByTheirCheckers() {
        let strict: PluginConfigChecker = { node, master in
            [ConfigError("seen \(master.workers.count) workers", at: node.location)]
        }
        let found = problems(minimal + """

            plugins:
              availability: {max_load: 3}
              availabilty: {}
              unknown_thing: {}
            """, plugins: ["availability": strict, "prefer_idle": permissive])
        #expect(found == [
            "10:17: seen 2 workers",
            "11:3: unknown plugin 'availabilty'; did you mean 'availability'? (known plugins: availability, prefer_idle)",
            "12:3: unknown plugin 'unknown_thing'; known plugins: availability, prefer_idle",
        ])
    }

    @Test func severalErrorsInOneFileAreAllReported() {
        let found = problems("""
            titel: x
            www: {port: 0x, admin_token: a, admin_token_file: b}
            workers:
              - {name: w1}
            change_sources:
              - git_poller: {name: d, repository: "htp://x", poll_interval: 0s}
            locks:
              - {name: l, kind: master, max_count_for_workers: {w9: 2}}
            builders:
              - name: test
                workers: [w1, w2]
                steps: [{git: {repository: demo.git, mode: fresh}}]
            """)
        #expect(found.count == 10, "\(found.joined(separator: "\n"))")
        #expect(found.first?.hasPrefix("1:1: unknown key 'titel'") == true)
        #expect(found.contains { $0.hasPrefix("2:13: expected an integer for 'port', found '0x'") })
        #expect(found.contains { $0.hasPrefix("2:33: set either 'admin_token' or 'admin_token_file'") })
        #expect(found.contains { $0.hasPrefix("4:5: missing 'password' in a worker") })
        #expect(found.contains { $0.hasPrefix("6:39: unknown URL scheme 'htp://'") && $0.contains("did you mean 'http://'?") })
        #expect(found.contains { $0.hasPrefix("6:50: 'poll_interval' must be more than 0") })
        #expect(found.contains { $0.hasPrefix("8:29: 'max_count_for_workers' applies only to worker locks") })
        #expect(found.contains { $0.hasPrefix("8:53: unknown worker 'w9'") })
        #expect(found.contains { $0.hasPrefix("11:19: unknown worker 'w2'; did you mean 'w1'?") })
        #expect(found.contains { $0.hasPrefix("12:48: 'fresh' is not a valid 'mode': use one of incremental, full") })
    }
}

@Suite struct JanitorConfigTests {
    @Test func keepsLogsForeverUnlessAHorizonIsSet() throws {
        #expect(try load(minimal).janitor == JanitorConfig(logHorizon: nil, interval: 3600))
        let config = try load(minimal + "\njanitor: {log_horizon: 30d, interval: 10m}\n")
        #expect(config.janitor == JanitorConfig(logHorizon: 30 * 86_400, interval: 600))
        let both = try load(minimal + "\njanitor: {keep_logs: 30d, keep_builds: 90d}\n")
        #expect(both.janitor == JanitorConfig(logHorizon: 30 * 86_400, buildHorizon: 90 * 86_400))
    }

    @Test func badHorizonsAreReportedWhereTheyAre() {
        let found = problems(minimal + "\njanitor: {log_horizon: 0s, interval: soon, keep: 3}\n")
        #expect(found.contains { $0.contains("unknown key 'keep' in 'janitor'") }, "\(found)")
        #expect(found.contains { $0.contains("'log_horizon' must be longer than zero") }, "\(found)")
        #expect(found.contains { $0.contains("'soon' is not a duration for 'interval'") }, "\(found)")
        let again = problems(minimal + "\njanitor: {keep_logs: 30d, log_horizon: 30d, keep_builds: -1d}\n")
        #expect(again.contains { $0.contains("'log_horizon' is the older name of 'keep_logs'") }, "\(again)")
        #expect(again.contains { $0.contains("'keep_builds'") }, "\(again)")
    }
}
