import Foundation

/// CPU and memory of a process, read from /proc (Linux).
struct ProcessStats {
    /// User + system CPU seconds used so far.
    static func cpuSeconds(_ pid: Int32) -> Double {
        let fields = statFields(pid)
        // After the command: state is field 3; utime is 14, stime is 15 (1-based over the whole line).
        guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return 0 }
        return (utime + stime) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// CPU seconds of a server and its children (PostgreSQL's postmaster and its backends):
    /// its own, its reaped children's (`cutime`, `cstime`) and each live child's.
    static func treeCPUSeconds(_ root: Int32) -> Double {
        var total = cpuSeconds(root) + reapedChildrenCPUSeconds(root)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), pid != root else { continue }
            let fields = statFields(pid)
            guard fields.count > 1, fields[1] == "\(root)" else { continue }
            total += cpuSeconds(pid)
        }
        return total
    }

    private static func reapedChildrenCPUSeconds(_ pid: Int32) -> Double {
        let fields = statFields(pid)
        guard fields.count > 14, let cutime = Double(fields[13]), let cstime = Double(fields[14]) else { return 0 }
        return (cutime + cstime) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The fields of `/proc/PID/stat` after the command (state first, then the parent's pid).
    private static func statFields(_ pid: Int32) -> [Substring] {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return [] }
        return stat[stat.index(after: close)...].split(separator: " ")
    }

    /// A `/proc/PID/status` value in MiB (e.g. VmRSS, VmHWM).
    /// Starts `pid`'s peak resident size (`VmHWM`) again from its current size (Linux:
    /// `5` to `/proc/PID/clear_refs`), so a later peak is that of what ran after it.
    static func resetPeak(_ pid: Int32) {
        guard let handle = FileHandle(forWritingAtPath: "/proc/\(pid)/clear_refs") else { return }
        handle.write(Data("5".utf8))
        try? handle.close()
    }

    static func memoryMiB(_ pid: Int32, _ key: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(key + ":") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return 0
    }
}

/// Median and spread of repeated measurements.
struct Sample {
    var values: [Double]

    var median: Double {
        let s = values.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    var min: Double { values.min() ?? .nan }
    var max: Double { values.max() ?? .nan }

    func format(_ unit: String, scale: Double = 1, digits: Int = 2) -> String {
        let f = "%.\(digits)f"
        return "\(String(format: f, median * scale)) \(unit) (median of \(values.count); min \(String(format: f, min * scale)), max \(String(format: f, max * scale)))"
    }
}
