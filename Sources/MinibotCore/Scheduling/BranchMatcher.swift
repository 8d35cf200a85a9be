/// Whether a change's branch concerns a scheduler: an exact name, or a regular expression
/// the *whole* branch name must match (`release/.*` matches `release/1.0`, not `my-release/1`).
public struct BranchMatcher: Sendable {
    public enum Rule: Sendable, Equatable {
        case exact(String)
        case regex(String)
        /// Neither `branch` nor `branch_regex`: every branch.
        case any
    }

    /// A `branch_regex` that does not compile.
    public struct InvalidPattern: Error, Sendable, CustomStringConvertible {
        public var pattern: String
        public var detail: String
        public var description: String {
            "branch_regex '\(pattern)' is not a valid regular expression (\(detail)); fix the pattern in master.cfg"
        }
    }

    public let rule: Rule
    // Regex is not Sendable; compiling once per match keeps this type a plain value. Branch
    // names are short and matching happens once per change, so the cost does not matter.
    private let pattern: String?

    /// Fails when the regular expression does not compile.
    public init(_ rule: Rule) throws(InvalidPattern) {
        self.rule = rule
        if case .regex(let p) = rule {
            do { _ = try Regex(p) } catch { throw InvalidPattern(pattern: p, detail: "\(error)") }
            pattern = p
        } else {
            pattern = nil
        }
    }

    /// The matcher of a `single_branch` scheduler: `branch_regex` when set, else `branch`.
    public init(_ spec: SingleBranchSchedulerSpec) throws(InvalidPattern) {
        if let regex = spec.branchRegex { try self.init(.regex(regex)) }
        else if let branch = spec.branch { try self.init(.exact(branch)) }
        else { try self.init(.any) }
    }

    public func matches(_ branch: String) -> Bool {
        switch rule {
        case .any: return true
        case .exact(let name): return name == branch
        case .regex:
            guard let pattern, let regex = try? Regex(pattern) else { return false }
            return (try? regex.wholeMatch(in: branch)) != nil
        }
    }
}
