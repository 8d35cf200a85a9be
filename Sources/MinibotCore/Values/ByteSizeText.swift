import Foundation

/// Amounts of memory as written in `master.cfg`: `2G`, `512M`, `1.5G`, `64K`, `1T`, or a bare
/// number of bytes. Units are binary (`1K` = 1024 bytes, as `free -h` and `/proc/meminfo`'s
/// kB mean); `GB`, `GiB` and `g` read the same as `G`.
///
/// The one reading of a size: the result is finite, not negative and within
/// ``LoadBounds/memory``, so comparing or printing it never traps.
public enum ByteSizeText {
    /// Bytes for `text`, or nil when it is not a size (or beyond ``LoadBounds/memory``).
    public static func bytes(_ text: String) -> Double? {
        guard text.utf8.count <= 32 else { return nil }
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let number = t.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        var unit = t.dropFirst(number.count).trimmingCharacters(in: .whitespaces)
        for suffix in ["IB", "B"] where unit.hasSuffix(suffix) && unit.count > suffix.count {
            unit = String(unit.dropLast(suffix.count))
            break
        }
        let factors: [String: Double] = ["": 1, "B": 1, "K": 1024, "M": 1024 * 1024, "G": 1024 * 1024 * 1024,
                                         "T": 1024 * 1024 * 1024 * 1024]
        guard !number.isEmpty, number.filter({ $0 == "." }).count <= 1, let factor = factors[unit],
              let value = Double(number) else { return nil }
        let bytes = value * factor
        return LoadBounds.isMemory(bytes) ? bytes : nil
    }

    /// `2G`, `1.5G`, `512M`, `640K`, `100B`: the largest unit that gives at least 1, one
    /// decimal at most.
    public static func describe(_ bytes: Double) -> String {
        guard bytes.isFinite else { return "\(bytes)" }
        for (unit, factor) in [("T", 1024.0 * 1024 * 1024 * 1024), ("G", 1024.0 * 1024 * 1024), ("M", 1024.0 * 1024),
                               ("K", 1024.0)] where abs(bytes) >= factor {
            let value = bytes / factor
            let text = String(format: "%.1f", value)
            return (text.hasSuffix(".0") ? String(text.dropLast(2)) : text) + unit
        }
        return String(format: "%.0f", bytes) + "B"
    }
}
