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
public struct Interpolation: Sendable {
    /// A rendered value with what went wrong on the way; rendering itself never fails.
    public struct Rendered<Value> {
        public var value: Value
        /// Properties used without a default and not set, each once, in order of use.
        public var missing: [String]
        /// Malformed or unsupported placeholders, as user-facing messages.
        public var problems: [String]

        public init(value: Value, missing: [String] = [], problems: [String] = []) {
            self.value = value
            self.missing = missing
            self.problems = problems
        }
    }

    public var properties: [String: String]

    public init(properties: [String: String]) {
        self.properties = properties
    }

    /// Renders one string.
    public func render(_ template: String) -> Rendered<String> {
        var out = Accumulator()
        let value = render(template, into: &out)
        return Rendered(value: value, missing: out.missing, problems: out.problems)
    }

    /// Renders every argument of an argv command, or the script of a shell string.
    public func render(_ command: ShellCommand) -> Rendered<ShellCommand> {
        var out = Accumulator()
        let value: ShellCommand
        switch command {
        case .argv(let args): value = .argv(args.map { render($0, into: &out) })
        case .script(let s): value = .script(render(s, into: &out))
        }
        return Rendered(value: value, missing: out.missing, problems: out.problems)
    }

    /// Renders environment values (names are left alone).
    public func render(env: [String: String]) -> Rendered<[String: String]> {
        var out = Accumulator()
        var value: [String: String] = [:]
        for key in env.keys.sorted() { value[key] = render(env[key]!, into: &out) }
        return Rendered(value: value, missing: out.missing, problems: out.problems)
    }

    /// Renders what a step sends to the worker: its command (or git repository and branch),
    /// its environment values and its workdir.
    public func render(_ step: StepSpec) -> Rendered<StepSpec> {
        var out = Accumulator()
        var step = step
        switch step.action {
        case .shell(.argv(let args)): step.action = .shell(.argv(args.map { render($0, into: &out) }))
        case .shell(.script(let s)): step.action = .shell(.script(render(s, into: &out)))
        case .git(var git):
            git.repository = render(git.repository, into: &out)
            git.branch = git.branch.map { render($0, into: &out) }
            step.action = .git(git)
        }
        for key in step.env.keys.sorted() { step.env[key] = render(step.env[key]!, into: &out) }
        step.workdir = step.workdir.map { render($0, into: &out) }
        return Rendered(value: step, missing: out.missing, problems: out.problems)
    }

    // MARK: engine

    private struct Accumulator {
        var missing: [String] = []
        var problems: [String] = []

        mutating func missed(_ name: String) {
            if !missing.contains(name) { missing.append(name) }
        }
    }

    private static let falseWords: Set<String> = ["false", "0", "no", "off"]

    private func render(_ template: String, into out: inout Accumulator) -> String {
        var result = ""
        var rest = template[...]
        while let percent = rest.firstIndex(of: "%") {
            result += rest[..<percent]
            let after = rest.index(after: percent)
            guard after < rest.endIndex else { result += "%"; rest = rest[after...]; break }
            switch rest[after] {
            case "%":
                result += "%"
                rest = rest[rest.index(after: after)...]
            case "(":
                let body = rest[rest.index(after: after)...]
                guard let close = body.range(of: ")s") else {
                    out.problems.append("unterminated placeholder '\(rest)': write %(prop:NAME)s, or %% for a literal %")
                    result += rest[percent...]
                    return result
                }
                let inner = String(body[..<close.lowerBound])
                if let value = substitute(inner, into: &out) {
                    result += value
                } else {
                    out.problems.append("unsupported placeholder '%(\(inner))s': only %(prop:NAME)s, "
                        + "%(prop:NAME:-DEFAULT)s, %(prop:NAME:~DEFAULT)s and %(prop:NAME:+TEXT)s are known")
                    result += "%(\(inner))s"
                }
                rest = body[close.upperBound...]
            default:
                result += "%"
                rest = rest[after...]
            }
        }
        result += rest
        return result
    }

    /// The text for `prop:NAME[:OP ARG]`, or nil when it is not a known form.
    private func substitute(_ inner: String, into out: inout Accumulator) -> String? {
        guard inner.hasPrefix("prop:") else { return nil }
        let spec = inner.dropFirst("prop:".count)
        guard let colon = spec.firstIndex(of: ":") else {
            let name = String(spec)
            guard !name.isEmpty else { return nil }
            guard let value = properties[name] else { out.missed(name); return "" }
            return value
        }
        let name = String(spec[..<colon])
        let opStart = spec.index(after: colon)
        guard !name.isEmpty, opStart < spec.endIndex else { return nil }
        let op = spec[opStart]
        let arg = String(spec[spec.index(after: opStart)...])
        let value = properties[name]
        switch op {
        case "-":
            guard let value, !value.isEmpty else { return arg }
            return value
        case "~":
            guard let value, !value.isEmpty, !Self.falseWords.contains(value.lowercased()) else { return arg }
            return value
        case "+":
            guard let value, !value.isEmpty else { return "" }
            return arg
        default:
            return nil
        }
    }
}

extension Interpolation.Rendered: Sendable where Value: Sendable {}
extension Interpolation.Rendered: Equatable where Value: Equatable {}
