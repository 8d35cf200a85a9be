import Foundation
import MinibotCore
import MinibotHostFacts

extension WorkerConfiguration {
    /// Where the worker's load reports come from: ``loadFile`` (same format as /proc/loadavg,
    /// optionally with pressure and `MemAvailable:` lines, see ``LoadReader``; for tests and containers) when given,
    /// else /proc/loadavg and /proc/pressure/cpu. A fake load is never mixed with real pressure.
    var loadReader: LoadReader {
        LoadReader(source: loadFile.map { .file($0) } ?? .proc)
    }

    /// Where the owner's activity comes from: ``idleFile`` when given, else logind and the
    /// input devices.
    var ownerIdleReader: OwnerIdleReader {
        OwnerIdleReader(source: idleFile.map { .file($0) } ?? .system)
    }
}
