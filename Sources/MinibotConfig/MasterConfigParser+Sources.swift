import Foundation
import MinibotCore

/// `change_sources:` and `schedulers:`.
extension MasterConfigParser {
    func changeSource(_ node: ConfigNode) -> ChangeSourceSpec? {
        guard let kind = reader.variant(node, "a change source", kinds: ["git_poller"]) else { return nil }
        return reader.mapping(kind.value, "the git_poller", keys: ["name", "repository", "branches", "poll_interval"]) { m in
            let name = name(m, noun: "change source")
            let repository = self.repository(m)
            var branches = GitPollerSpec.Branches.only(["main"])
            if let node = m["branches"] {
                if case .scalar("all", false) = node.value {
                    branches = .all
                } else if let names = reader.stringOrList(node, "'branches'") {
                    if names.isEmpty { m.error("'branches' is empty; list branch names or write 'all'", at: "branches") }
                    branches = .only(names)
                }
            }
            let interval = m.duration("poll_interval", default: 600)
            if interval <= 0 { m.error("'poll_interval' must be more than 0, such as 30s or 10m", at: "poll_interval") }
            return name.map {
                ChangeSourceSpec.gitPoller(GitPollerSpec(name: $0, repository: repository ?? "", branches: branches,
                                                         pollInterval: interval))
            }
        } ?? nil
    }

    /// The required `repository`, checked for plausibility.
    func repository(_ m: ConfigMapping) -> String? {
        guard let repository = m.string("repository", required: true) else { return nil }
        if let problem = RepositoryAddress.problem(repository) {
            reader.error(problem, at: m["repository"]?.location ?? m.location(of: "repository"))
        }
        return repository
    }

    func scheduler(_ node: ConfigNode) -> SchedulerSpec? {
        guard let kind = reader.variant(node, "a scheduler", kinds: ["single_branch", "force"]) else { return nil }
        if kind.key == "force" {
            return reader.mapping(kind.value, "the force scheduler", keys: ["name", "builders"]) { m in
                let name = name(m, noun: "scheduler")
                let builders = schedulerBuilders(m)
                return name.map { SchedulerSpec.force(ForceSchedulerSpec(name: $0, builders: builders)) }
            } ?? nil
        }
        let keys = ["name", "branch", "branch_regex", "files", "tree_stable_timer", "builders"]
        return reader.mapping(kind.value, "the single_branch scheduler", keys: keys) { m in
            let name = name(m, noun: "scheduler")
            let branch = m.string("branch")
            let regex = m.string("branch_regex")
            if branch != nil, regex != nil {
                m.error("set either 'branch' or 'branch_regex', not both", at: "branch_regex")
            } else if branch == nil, regex == nil, !m.has("branch"), !m.has("branch_regex") {
                m.error("a single_branch scheduler needs 'branch' (a branch name) or 'branch_regex' "
                        + "(a regular expression the whole branch name must match)", at: "name")
            }
            if let regex {
                do {
                    _ = try NSRegularExpression(pattern: regex)
                } catch {
                    m.error("'branch_regex' is not a valid regular expression: '\(regex)'", at: "branch_regex")
                }
            }
            let files = m.stringOrList("files")
            if files?.isEmpty == true {
                m.error("'files' is empty, so no change would ever match; list glob patterns or remove it", at: "files")
            }
            let timer = m.duration("tree_stable_timer", default: 0)
            let builders = schedulerBuilders(m)
            return name.map {
                SchedulerSpec.singleBranch(SingleBranchSchedulerSpec(
                    name: $0, branch: branch, branchRegex: regex, files: files, treeStableTimer: timer, builders: builders))
            }
        } ?? nil
    }

    private func schedulerBuilders(_ m: ConfigMapping) -> [String] {
        let builders = m.value("builders", required: true).flatMap { _ in references(m, "builders", noun: "builder") }
        if builders?.isEmpty == true {
            m.error("'builders' is empty; name the builders this scheduler starts", at: "builders")
        }
        return builders ?? []
    }
}
