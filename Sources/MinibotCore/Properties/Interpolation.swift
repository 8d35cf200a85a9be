/// Buildbot-style property interpolation in step commands, scripts and environment values.
///
/// Forms, where NAME is a build property (`branch`, `revision`, `buildnumber`, `workername`,
/// a scheduler's or a forced build's own):
/// - `%(prop:NAME)s` — the value; a missing property gives an empty string and is reported
///   in ``Rendered/missing`` so the master can log it;
/// - `%(prop:NAME:-DEFAULT)s` — DEFAULT when the property is missing or empty;
/// - `%(prop:NAME:~DEFAULT)s` — DEFAULT when missing, empty, or false-like (`false`, `0`,
///   `no`, `off`, any case), as Buildbot's "evaluates to False" for string properties;
/// - `%(prop:NAME:+TEXT)s` — TEXT when the property is set and not empty, else nothing;
/// - `%%` — a literal `%`.
/// A `%` not followed by `(` or `%` stays as it is (`date +%Y` needs no escaping).
/// Anything else inside `%(...)s` is left verbatim and reported in ``Rendered/problems``.
///
/// **Trust.** A property's value is trusted when the admin wrote it (a builder's or worker's
/// `properties` in master.cfg, or what the master derives from its own configuration, such as
/// `buildername`); its name is then in ``trusted``. Every other value — from a change (the
/// change hook, a poller, `sendchange`), the force API or a worker (`got_revision`) — may be
/// anything, `; rm -rf ~` included. In a command *string* (run by `/bin/sh -c`) such a value
/// is shell-quoted for where its placeholder sits (``ShellContext``, ``ShellQuoting``), so
/// the shell reads it as that literal text: `echo %(prop:branch)s` with the branch `a;b`
/// runs `echo 'a;b'`. Where no quoting is safe (backticks, a here-document) the value is
/// left out and the placeholder reported in ``Rendered/refused``: the master does not run
/// that step. Argv commands, environment values, workdirs and git settings are never parsed
/// by a shell: there every value goes in unchanged, as one argument.
public struct Interpolation: Sendable {
    /// A rendered value with what went wrong on the way; rendering itself never fails.
    public struct Rendered<Value> {
        public var value: Value
        /// Properties used without a default and not set, each once, in order of use.
        public var missing: [String]
        /// Malformed or unsupported placeholders, as user-facing messages.
        public var problems: [String]
        /// Untrusted values left out of a command string because no quoting is safe where
        /// their placeholder sits, as user-facing messages. A step with any must not run.
        public var refused: [String]

        public init(value: Value, missing: [String] = [], problems: [String] = [], refused: [String] = []) {
            self.value = value
            self.missing = missing
            self.problems = problems
            self.refused = refused
        }
    }

    public var properties: [String: String]
    /// The names of the properties whose values the admin set (see "Trust" above); every
    /// other value is shell-quoted in a command string.
    public var trusted: Set<String>

    public init(properties: [String: String], trusted: Set<String> = []) {
        self.properties = properties
        self.trusted = trusted
    }

    /// Renders one string.
    public func render(_ template: String) -> Rendered<String> {
        var out = Accumulator()
        let value = render(template, into: &out)
        return Rendered(value: value, missing: out.missing, problems: out.problems, refused: out.refused)
    }

    /// Renders every argument of an argv command, or the script of a shell string.
    public func render(_ command: ShellCommand) -> Rendered<ShellCommand> {
        var out = Accumulator()
        let value: ShellCommand
        switch command {
        case .argv(let args): value = .argv(args.map { render($0, into: &out) })
        case .script(let s): value = .script(render(s, into: &out, shell: true))
        }
        return Rendered(value: value, missing: out.missing, problems: out.problems, refused: out.refused)
    }

    /// Renders environment values (names are left alone).
    public func render(env: [String: String]) -> Rendered<[String: String]> {
        var out = Accumulator()
        var value: [String: String] = [:]
        for key in env.keys.sorted() { value[key] = render(env[key]!, into: &out) }
        return Rendered(value: value, missing: out.missing, problems: out.problems, refused: out.refused)
    }

    /// Renders what a step sends to the worker: its command (or git repository and branch),
    /// its environment values and its workdir.
    public func render(_ step: StepSpec) -> Rendered<StepSpec> {
        var out = Accumulator()
        var step = step
        switch step.action {
        case .shell(.argv(let args)): step.action = .shell(.argv(args.map { render($0, into: &out) }))
        case .shell(.script(let s)): step.action = .shell(.script(render(s, into: &out, shell: true)))
        case .git(var git):
            git.repository = render(git.repository, into: &out)
            git.branch = git.branch.map { render($0, into: &out) }
            step.action = .git(git)
        }
        for key in step.env.keys.sorted() { step.env[key] = render(step.env[key]!, into: &out) }
        step.workdir = step.workdir.map { render($0, into: &out) }
        return Rendered(value: step, missing: out.missing, problems: out.problems, refused: out.refused)
    }

    // MARK: engine

    private struct Accumulator {
        var missing: [String] = []
        var problems: [String] = []
        var refused: [String] = []

        mutating func missed(_ name: String) {
            if !missing.contains(name) { missing.append(name) }
        }
    }

    private static let falseWords: Set<String> = ["false", "0", "no", "off"]

    /// What a placeholder stands for: text from the template or from a trusted property,
    /// which goes in as it is, or the value of a property from outside.
    private enum Substitution {
        case text(String)
        case untrusted(name: String, value: String)
    }

    /// Renders a template; with `shell`, the template is a `/bin/sh -c` script and untrusted
    /// values are quoted for where they land.
    private func render(_ template: String, into out: inout Accumulator, shell: Bool = false) -> String {
        var result = ""
        var context = ShellContext()
        func literal<S: StringProtocol>(_ text: S) {
            result += text
            if shell { context.scan(text) }
        }
        var rest = template[...]
        while let percent = rest.firstIndex(of: "%") {
            literal(rest[..<percent])
            let after = rest.index(after: percent)
            guard after < rest.endIndex else { literal("%"); rest = rest[after...]; break }
            switch rest[after] {
            case "%":
                literal("%")
                rest = rest[rest.index(after: after)...]
            case "(":
                let body = rest[rest.index(after: after)...]
                guard let close = body.range(of: ")s") else {
                    out.problems.append("unterminated placeholder '\(rest)': write %(prop:NAME)s, or %% for a literal %")
                    literal(rest[percent...])
                    return result
                }
                let inner = String(body[..<close.lowerBound])
                switch substitute(inner, into: &out) {
                case .text(let text)?:
                    literal(text)
                case .untrusted(let name, let value)? where shell:
                    let placement = context.placement
                    if let quoted = ShellQuoting.quote(value, at: placement) {
                        result += quoted
                    } else if case .unsafe(let why) = placement {
                        out.refused.append("property \(name) comes from outside and cannot be quoted \(why); "
                            + "put %(prop:\(name))s where the shell reads a word, or pass it in env")
                    }
                case .untrusted(_, let value)?:
                    result += value
                case nil:
                    out.problems.append("unsupported placeholder '%(\(inner))s': only %(prop:NAME)s, "
                        + "%(prop:NAME:-DEFAULT)s, %(prop:NAME:~DEFAULT)s and %(prop:NAME:+TEXT)s are known")
                    literal("%(\(inner))s")
                }
                rest = body[close.upperBound...]
            default:
                literal("%")
                rest = rest[after...]
            }
        }
        literal(rest)
        return result
    }

    /// What `prop:NAME[:OP ARG]` stands for, or nil when it is not a known form.
    private func substitute(_ inner: String, into out: inout Accumulator) -> Substitution? {
        guard inner.hasPrefix("prop:") else { return nil }
        let spec = inner.dropFirst("prop:".count)
        func property(_ name: String, _ value: String) -> Substitution {
            trusted.contains(name) ? .text(value) : .untrusted(name: name, value: value)
        }
        guard let colon = spec.firstIndex(of: ":") else {
            let name = String(spec)
            guard !name.isEmpty else { return nil }
            guard let value = properties[name] else { out.missed(name); return .text("") }
            return property(name, value)
        }
        let name = String(spec[..<colon])
        let opStart = spec.index(after: colon)
        guard !name.isEmpty, opStart < spec.endIndex else { return nil }
        let op = spec[opStart]
        let arg = String(spec[spec.index(after: opStart)...])
        let value = properties[name]
        switch op {
        case "-":
            guard let value, !value.isEmpty else { return .text(arg) }
            return property(name, value)
        case "~":
            guard let value, !value.isEmpty, !Self.falseWords.contains(value.lowercased()) else { return .text(arg) }
            return property(name, value)
        case "+":
            guard let value, !value.isEmpty else { return .text("") }
            return .text(arg)
        default:
            return nil
        }
    }
}

extension Interpolation.Rendered: Sendable where Value: Sendable {}
extension Interpolation.Rendered: Equatable where Value: Equatable {}
