import Foundation

/// The process groups of the steps running now, noted in `BASEDIR/.minibot-steps/`, one
/// file per group (named by its id, holding its leader's start time): a worker that starts
/// after a crash kills whatever group a previous run left there before it takes a build.
///
/// With the step supervisor (``StepSupervisor``) a step's group dies with its worker, so
/// this is the fallback for what the supervisor cannot cover: the supervisor itself killed,
/// or a worker without one (not Linux).
public struct StepGroupLedger: Sendable {
    public let directory: String

    public init(basedir: String) {
        directory = URL(fileURLWithPath: basedir).appendingPathComponent(".minibot-steps").path
    }

    /// Notes a running step's group (its leader is `leader`, the group's id).
    public func record(_ leader: Int32) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let start = Self.startTime(of: leader) ?? ""
        _ = FileManager.default.createFile(atPath: path(leader), contents: Data(start.utf8))
    }

    /// Forgets a group whose step ended.
    public func remove(_ leader: Int32) {
        try? FileManager.default.removeItem(atPath: path(leader))
    }

    /// Kills (SIGKILL) every group a previous run left noted, and forgets them all; returns
    /// the ids of the groups it killed.
    @discardableResult
    public func reapLeftovers() -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var killed: [Int32] = []
        for name in names {
            defer { try? FileManager.default.removeItem(atPath: "\(directory)/\(name)") }
            guard let group = Int32(name), group > 1 else { continue }
            let recorded = (try? String(contentsOfFile: path(group), encoding: .utf8)) ?? ""
            guard Self.isLeftover(recorded: recorded, current: Self.startTime(of: group)) else { continue }
            if kill(-group, SIGKILL) == 0 { killed.append(group) }
        }
        return killed
    }

    /// Whether the group noted with leader start time `recorded` is still ours, given the
    /// start time of the process that now has the leader's pid (nil: no such process).
    /// No process with that pid: whatever is left in the group is ours (the kernel never
    /// hands out a pid that is still a group's id). A process with a different start time:
    /// the pid was reused by an unrelated process, which must not be touched.
    static func isLeftover(recorded: String, current: String?) -> Bool {
        guard let current else { return true }
        return !recorded.isEmpty && recorded == current
    }

    /// A process's start time (field 22 of `/proc/PID/stat`, in clock ticks since boot).
    static func startTime(of pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? String(fields[19]) : nil
    }

    private func path(_ leader: Int32) -> String { "\(directory)/\(leader)" }
}
