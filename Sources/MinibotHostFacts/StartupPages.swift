#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Hands back to the kernel the pages of code and read-only data that only start-up used.
///
/// Reading the configuration, migrating the store, setting up the HTTP server and the
/// services touches code in most libraries the master links (YAML, SQLite migrations,
/// argument parsing, …) once; with the kernel's fault-around those pages stay mapped:
/// about 40 MiB of an idle master's resident size, although it then runs on a fraction
/// of them. A worker is the same after its first connection (argument parsing, the
/// WebSocket client, TLS set-up, host probes). Once the server listens (the worker is
/// welcomed), every read-only file mapping that holds no private
/// copy of a page (no `Anonymous:` pages in smaps, so never written, unlike relocated
/// data) is unmapped from this process with `MADV_DONTNEED`: its pages stay in the page
/// cache (other processes that map the same libraries keep them) and whatever the master
/// uses again is mapped back on first touch, without I/O. Mappings with private pages and
/// all anonymous memory are left alone.
public enum StartupPages {
    /// Advises the eligible mappings; returns the bytes advised (0 where unsupported).
    @discardableResult
    public static func release() -> Int {
        #if os(Linux)
        // Read to the end: /proc files report a size of 0, and a sized read gets a prefix.
        guard let file = FileHandle(forReadingAtPath: "/proc/self/smaps"),
              let data = try? file.readToEnd() else { return 0 }
        try? file.close()
        let smaps = String(decoding: data, as: UTF8.self)
        var advised = 0
        var candidate: (start: UInt, end: UInt)?
        func finish(anonymousKiB: Int) {
            defer { candidate = nil }
            guard let (start, end) = candidate, anonymousKiB == 0,
                  let address = UnsafeMutableRawPointer(bitPattern: start) else { return }
            if madvise(address, Int(end - start), MADV_DONTNEED) == 0 { advised += Int(end - start) }
        }
        for line in smaps.split(separator: "\n") {
            if line.hasPrefix("Anonymous:") {
                let kib = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
                finish(anonymousKiB: kib ?? 1)
                continue
            }
            // A mapping's header: start-end perms offset dev inode path
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count >= 5, fields[0].contains("-"), fields[1].count == 4 else { continue }
            candidate = nil
            guard fields.count == 6, fields[1].hasPrefix("r"), !fields[1].contains("w"),
                  fields[5].trimmingCharacters(in: .whitespaces).hasPrefix("/") else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                  end > start else { continue }
            candidate = (start, end)
        }
        return advised
        #else
        return 0
        #endif
    }
}
