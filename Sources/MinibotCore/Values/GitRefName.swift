/// Git's rules for a ref name (`git check-ref-format --branch`), and the stricter shape a
/// revision from outside must have.
///
/// Branches and revisions reach the master from outside (the change hook, `sendchange`, the
/// force API); they name directories, go into logs and, quoted, into shell steps. Whatever
/// git itself would refuse is refused at the door with a reason the sender can act on.
public enum GitRefName {
    /// Why `name` is not a valid branch or ref name by git's rules, or nil when it is.
    ///
    /// The rules (git-check-ref-format(1)): not empty; no ASCII control character, space,
    /// `~`, `^`, `:`, `?`, `*`, `[` or `\`; no `..`, `@{` or `//`; not the single `@`; not
    /// starting with `-` or `/`; not ending with `/`, `.` or `.lock`; no component starting
    /// with `.` or ending with `.lock`.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name == "@" { return "is the single character @" }
        for scalar in name.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F { return "contains a control character" }
            if " ~^:?*[\\".unicodeScalars.contains(scalar) {
                return scalar == " " ? "contains a space" : "contains '\(scalar)'"
            }
        }
        if name.contains("..") { return "contains '..'" }
        if name.contains("@{") { return "contains '@{'" }
        if name.contains("//") { return "contains '//'" }
        if name.hasPrefix("-") { return "starts with '-'" }
        if name.hasPrefix("/") { return "starts with '/'" }
        if name.hasSuffix("/") { return "ends with '/'" }
        if name.hasSuffix(".") { return "ends with '.'" }
        for component in name.split(separator: "/") {
            if component.hasPrefix(".") { return "has a component starting with '.'" }
            if component.hasSuffix(".lock") { return "has a component ending with '.lock'" }
        }
        return nil
    }

    /// Whether `name` is a valid branch or ref name by git's rules.
    public static func isValid(_ name: String) -> Bool { problem(name) == nil }

    /// Why `revision` is neither a commit id (4 to 64 hexadecimal digits) nor a plain ref
    /// name, or nil when it is one of them.
    ///
    /// A plain ref name is one git accepts that is also made only of letters, digits and
    /// `.`, `_`, `-`, `/`, `+`: git allows `;`, `$` or `{` in a ref, but no tag or branch an
    /// outsider asks to build needs them, and a revision goes into commands.
    public static func revisionProblem(_ revision: String) -> String? {
        let hex = revision.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0)
            || ("A"..."F").contains($0) }
        if hex && (4...64).contains(revision.unicodeScalars.count) { return nil }
        let plain = revision.unicodeScalars.allSatisfy { s in
            ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || "._-/+".unicodeScalars.contains(s)
        }
        guard plain else { return "is neither a commit id (4 to 64 hex digits) nor a plain ref name (letters, digits, . _ - / +)" }
        if let problem = problem(revision) { return "is not a valid ref name: it \(problem)" }
        return nil
    }
}

extension GitRefName {
    /// Why a branch or revision sent from outside (a change, a forced build) cannot be taken,
    /// as a message naming the field; nil when both are fine. Empty or absent values are not
    /// checked here (whether they are required is the caller's rule).
    public static func sourceProblem(branch: String?, revision: String?) -> String? {
        if let branch, !branch.isEmpty, let problem = problem(branch) {
            return "branch \(ClientText.quoted(branch)) is not a valid git branch name: it \(problem)"
        }
        if let revision, !revision.isEmpty, let problem = revisionProblem(revision) {
            return "revision \(ClientText.quoted(revision)) \(problem)"
        }
        return nil
    }
}
