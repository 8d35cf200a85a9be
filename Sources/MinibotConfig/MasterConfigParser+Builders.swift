import MinibotCore

/// `builders:` and their steps.
extension MasterConfigParser {
    static let builderKeys = ["name", "workers", "locks", "steps", "collapse_requests", "properties", "tags",
                              "description"]
    static let commonStepKeys = ["name", "workdir", "timeout", "halt_on_failure", "flunk_on_failure",
                                 "warn_on_failure", "locks"]

    func builder(_ node: ConfigNode) -> BuilderSpec? {
        reader.mapping(node, "a builder", keys: Self.builderKeys) { m in
            let name = name(m, noun: "builder")
            let label = name.map { "builder '\($0)'" } ?? "this builder"
            let workers = m.value("workers", required: true).flatMap { _ in references(m, "workers", noun: "worker") }
            if workers?.isEmpty == true {
                m.error("\(label) has no workers; list at least one under 'workers'", at: "workers")
            }
            let locks = lockAccesses(m)
            let steps = m.list("steps", required: true) { step($0) }
            if let list = m["steps"], case .sequence(let items) = list.value, Int64(items.count) > StepID.perBuild {
                m.error("\(label) has \(items.count) steps; a builder has at most \(StepID.perBuild)", at: "steps")
            }
            if let list = m["steps"], case .sequence(let items) = list.value, items.isEmpty {
                m.error("\(label) has no steps; add at least one under 'steps' (shell or git)", at: "steps")
            }
            let spec = BuilderSpec(
                name: name ?? "", workers: workers ?? [], locks: locks, steps: steps ?? [],
                collapseRequests: m.bool("collapse_requests", default: true),
                properties: m.stringMap("properties") ?? [:],
                tags: m.stringOrList("tags") ?? [],
                description: m.string("description"))
            return name == nil ? nil : spec
        } ?? nil
    }

    func step(_ node: ConfigNode) -> StepSpec? {
        guard let kind = reader.variant(node, "a step", kinds: ["shell", "git"]) else { return nil }
        if kind.key == "shell" {
            return reader.mapping(kind.value, "a shell step", keys: Self.commonStepKeys + ["command", "env"]) { m in
                guard let command = command(m) else { return nil }
                var step = StepSpec(name: m.string("name") ?? Self.defaultName(command), action: .shell(command))
                common(m, &step)
                step.env = m.stringMap("env") ?? [:]
                return step
            } ?? nil
        }
        let keys = Self.commonStepKeys + ["repository", "mode", "branch"]
        return reader.mapping(kind.value, "a git step", keys: keys) { m in
            let repository = repository(m)
            let checkout = GitCheckoutSpec(repository: repository ?? "",
                                           mode: m.word("mode", allowed: ["incremental", "full"])
                                               .flatMap(GitCheckoutSpec.Mode.init(rawValue:)) ?? .incremental,
                                           branch: m.string("branch"))
            var step = StepSpec(name: m.string("name", default: "git"), action: .git(checkout))
            common(m, &step)
            return repository == nil ? nil : step
        } ?? nil
    }

    /// The settings every step kind has.
    private func common(_ m: ConfigMapping, _ step: inout StepSpec) {
        if step.name.isEmpty { m.error("the step name is empty; give it a name or remove the key", at: "name") }
        step.workdir = m.string("workdir")
        step.timeout = m.duration("timeout")
        if let timeout = step.timeout, timeout <= 0 {
            m.error("'timeout' must be more than 0; remove it for no limit", at: "timeout")
        }
        step.haltOnFailure = m.bool("halt_on_failure", default: true)
        step.flunkOnFailure = m.bool("flunk_on_failure", default: true)
        step.warnOnFailure = m.bool("warn_on_failure", default: false)
        step.locks = lockAccesses(m)
    }

    /// `command: [make, test]` runs the argv as is; `command: "make test"` runs through `/bin/sh -c`.
    private func command(_ m: ConfigMapping) -> ShellCommand? {
        guard let node = m.value("command", required: true) else { return nil }
        switch node.value {
        case .scalar(let script, _):
            guard !script.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                m.error("'command' is empty; write the command to run", at: "command")
                return nil
            }
            return .script(script)
        case .sequence:
            guard let argv = reader.strings(node, "'command'") else { return nil }
            guard let first = argv.first, !first.isEmpty else {
                m.error("'command' is an empty list; write the program and its arguments, e.g. [make, test]",
                        at: "command")
                return nil
            }
            return .argv(argv)
        default:
            reader.typeError(expected: "a list (program and arguments) or a string (for /bin/sh -c)",
                             for: "'command'", found: node)
            return nil
        }
    }

    /// A shell step's name when none is given: the program's name (`make` for
    /// `[/usr/bin/make, test]`, `ls` for `"ls -la"`).
    static func defaultName(_ command: ShellCommand) -> String {
        let first: Substring
        switch command {
        case .argv(let argv): first = Substring(argv.first ?? "")
        case .script(let script): first = script.split(whereSeparator: { $0.isWhitespace }).first ?? ""
        }
        let program = first.split(separator: "/").last.map(String.init) ?? String(first)
        return program.isEmpty ? "shell" : program
    }
}
