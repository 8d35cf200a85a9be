import CLibgit2

extension git_oid {
    /// Parses a full 40-character hexadecimal id; nil for anything else.
    init?(hex: String) {
        guard hex.utf8.count == Int(GIT_OID_HEXSZ) else { return nil }
        var oid = git_oid()
        guard git_oid_fromstr(&oid, hex) == 0 else { return nil }
        self = oid
    }

    /// The 40-character hexadecimal form.
    var hex: String {
        withUnsafePointer(to: self) { oid in
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(GIT_OID_HEXSZ) + 1) { buffer in
                String(cString: git_oid_tostr(buffer.baseAddress, buffer.count, oid))
            }
        }
    }
}
