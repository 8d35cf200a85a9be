import Foundation
import MinibotCore
import Testing

/// Values from outside, quoted into `/bin/sh -c` scripts: checked by running the real shell.
@Suite struct ShellQuotingTests {
    static let nasty = [
        "x;touch${IFS}PWNED", "$(touch PWNED)", "`touch PWNED`", "a'b", "a\"b", "back\\slash", "two words", "",
        "new\nline; touch PWNED", "*", "~", "#not a comment", "'; touch PWNED; '", "\"; touch PWNED; \"", "$HOME",
        "a\\", "{a,b}", "!x", "%(prop:x)s",
    ]

    /// Runs `script` with /bin/sh in a fresh directory; its output, and whether it made a file.
    static func run(_ script: String) throws -> (output: String, madeFiles: Bool) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("shq-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = dir
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        return (String(decoding: data, as: UTF8.self), !files.isEmpty)
    }

    @Test("a value reaches the command as its literal text, wherever the placeholder sits", arguments: [
        ("printf '[%s]' %(prop:x)s", ""),
        ("printf '[%s]' x%(prop:x)s", "x"),
        ("printf '[%s]' \"%(prop:x)s\"", ""),
        ("printf '[%s]' \"in ${HOME}%(prop:x)s\"", "in \(NSHomeDirectory())"),
        ("printf '[%s]' 'in %(prop:x)s'", "in "),
        ("printf '[%s]' \"$(printf '%s' %(prop:x)s)\"", ""),
        ("printf '[%s]' \"$(printf '%s' \"%(prop:x)s\")\"", ""),
    ])
    func roundTrip(_ template: String, _ prefix: String) throws {
        for value in Self.nasty {
            let rendered = Interpolation(properties: ["x": value]).render(ShellCommand.script(template))
            #expect(rendered.refused.isEmpty)
            guard case .script(let script) = rendered.value else { Issue.record("not a script"); return }
            let (output, madeFiles) = try Self.run(script)
            #expect(!madeFiles, "\(script)")
            // $(...) drops trailing newlines, as the shell always does; none of these values end in one.
            #expect(output == "[\(prefix)\(value)]", "\(template) with \(value.debugDescription): \(script) → \(output.debugDescription)")
        }
    }

    @Test func aCommentCannotBeEndedByAValue() throws {
        let rendered = Interpolation(properties: ["x": "a\ntouch PWNED"]).render(ShellCommand.script("true # %(prop:x)s"))
        guard case .script(let script) = rendered.value else { Issue.record("not a script"); return }
        #expect(script == "true # a touch PWNED")
        #expect(try !Self.run(script).madeFiles)
    }

    @Test func plainValuesStayAsTheyAre() {
        let props = Interpolation(properties: ["branch": "main", "rev": "abc123", "v": "1.2.3-rc+4", "empty": ""])
        #expect(props.render(ShellCommand.script("echo %(prop:branch)s %(prop:rev)s %(prop:v)s"))
            .value == .script("echo main abc123 1.2.3-rc+4"))
        #expect(props.render(ShellCommand.script("echo x %(prop:empty)s y")).value == .script("echo x '' y"))
        #expect(props.render(ShellCommand.script("echo %(prop:missing)s")).value == .script("echo "))
    }

    @Test func trustedValuesAndTemplateTextAreNotQuoted() {
        let props = Interpolation(properties: ["flags": "-j4 -k", "outside": "a b"], trusted: ["flags"])
        #expect(props.render(ShellCommand.script("make %(prop:flags)s")).value == .script("make -j4 -k"))
        #expect(props.render(ShellCommand.script("make %(prop:nope:-a b)s %(prop:outside:+X=1 Y=2)s"))
            .value == .script("make a b X=1 Y=2"))
        #expect(props.render(ShellCommand.script("echo %(prop:outside:-x)s")).value == .script("echo 'a b'"))
    }

    @Test func argvEnvAndWorkdirGetValuesUnchanged() {
        let props = Interpolation(properties: ["x": "a;b c"])
        #expect(props.render(ShellCommand.argv(["echo", "%(prop:x)s"])).value == .argv(["echo", "a;b c"]))
        let step = props.render(StepSpec(name: "s", action: .shell(.argv(["echo", "%(prop:x)s"])), env: ["X": "%(prop:x)s"]))
        #expect(step.value.env["X"] == "a;b c")
        let script = props.render(StepSpec(name: "s", action: .shell(.script("echo %(prop:x)s"))))
        #expect(script.value.action == .shell(.script("echo 'a;b c'")))
    }

    @Test("where no quoting is safe the value is refused", arguments: [
        "echo `echo %(prop:x)s`", "echo \"`echo %(prop:x)s`\"", "cat <<EOF\n%(prop:x)s\nEOF", "echo \\%(prop:x)s",
    ])
    func refused(_ template: String) {
        let rendered = Interpolation(properties: ["x": "a"]).render(ShellCommand.script(template))
        #expect(rendered.refused.count == 1, "\(template)")
        let step = Interpolation(properties: ["x": "a"]).render(StepSpec(name: "s", action: .shell(.script(template))))
        #expect(step.refused.count == 1, "\(template)")
        #expect(rendered.refused.first?.contains("property x") == true)
        // A trusted value is the admin's own text: it goes in as written.
        #expect(Interpolation(properties: ["x": "a"], trusted: ["x"]).render(ShellCommand.script(template)).refused.isEmpty)
    }

    @Test func contextTracking() {
        func placement(_ text: String) -> ShellContext.Placement {
            var c = ShellContext()
            c.scan(text)
            return c.placement
        }
        #expect(placement("echo ") == .unquoted)
        #expect(placement("echo '") == .singleQuoted)
        #expect(placement("echo 'a' ") == .unquoted)
        #expect(placement("echo \"a") == .doubleQuoted)
        #expect(placement("echo \"a\\\"") == .doubleQuoted)
        #expect(placement("echo \"$(x ") == .unquoted)
        #expect(placement("echo \"$(x (y) ") == .unquoted)
        #expect(placement("echo \"$(x) ") == .doubleQuoted)
        #expect(placement("echo $((1 + ") == .unquoted)
        #expect(placement("echo a#b ") == .unquoted)
        #expect(placement("echo # '") == .comment)
        #expect(placement("echo # '\necho ") == .unquoted)
        #expect(placement("echo \"'\" ") == .unquoted)
        #expect(placement("echo '\"' ") == .unquoted)
        #expect(placement("cat <<E\n") == .unsafe("inside a here-document"))
        #expect(placement("cat <<E ") == .unquoted)
    }
}
