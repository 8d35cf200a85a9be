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

extension WorkerStatus {
    /// The `status` report for one load sample. A pressure or free memory the master would
    /// refuse (outside ``LoadBounds``, say from a hand-written load file) is left out, so the
    /// rest of the report still counts.
    init(_ sample: LoadSample) {
        func pressure(_ value: Double?) -> Double? { value.flatMap { LoadBounds.isPressure($0) ? $0 : nil } }
        self.init(load1: sample.load1, load5: sample.load5, cpuPressure: pressure(sample.cpuPressureSome10),
                  memoryPressure: pressure(sample.memoryPressureSome10), ioPressure: pressure(sample.ioPressureSome10),
                  freeMemory: sample.memAvailableBytes.flatMap { LoadBounds.isMemory($0) ? $0 : nil }, time: sample.time)
    }
}
