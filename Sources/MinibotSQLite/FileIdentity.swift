#if canImport(Glibc)
import Glibc
#endif

/// Which file a path names: its device and inode, as `stat(2)` tells.
struct FileIdentity: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64

    /// Nil when nothing is at `path`.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
