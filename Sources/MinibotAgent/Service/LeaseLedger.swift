import Foundation

/// The agent's note of which leases are out, kept beside its socket (`SOCKET.leases`), so
/// that a start knows whether builds of a previous run may still hold slots.
///
/// With leases listed, the agent starts in recovery (no offers for one lease TTL; running
/// builds re-register theirs). With none — a first start, a start after a reboot (the
/// socket usually lives in /run), or after every build ended — it offers at once instead of
/// making the first build wait a whole TTL. An unreadable file counts as leases out: the
/// careful answer.
struct LeaseLedger {
    let path: String

    init(socketPath: String) {
        self.path = socketPath + ".leases"
    }

    /// Whether a previous run may have left leases out.
    func mayHaveLeasesOut() -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return false }
        guard let data = FileManager.default.contents(atPath: path),
              let note = try? JSONDecoder().decode(Note.self, from: data) else { return true }
        return !note.leases.isEmpty
    }

    /// Records the leases out now (written to a temporary file, then renamed over the note).
    func record(_ leases: [String]) throws {
        let data = try JSONEncoder().encode(Note(leases: leases.sorted()))
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw CocoaError(.fileWriteUnknown)
        }
        if rename(temporary, path) != 0 { throw CocoaError(.fileWriteUnknown) }
    }

    private struct Note: Codable {
        var leases: [String]
    }
}
