import Foundation
import MinibotCore
import MinibotHostFacts

extension WorkerStatus {
    /// The `status` report for one load sample (what a worker sends, and what the simulator
    /// replays). A pressure or free memory the master would
    /// refuse (outside ``LoadBounds``, say from a hand-written load file) is left out, so the
    /// rest of the report still counts.
    public init(_ sample: LoadSample) {
        func pressure(_ value: Double?) -> Double? { value.flatMap { LoadBounds.isPressure($0) ? $0 : nil } }
        self.init(load1: sample.load1, load5: sample.load5, cpuPressure: pressure(sample.cpuPressureSome10),
                  memoryPressure: pressure(sample.memoryPressureSome10), ioPressure: pressure(sample.ioPressureSome10),
                  freeMemory: sample.memAvailableBytes.flatMap { LoadBounds.isMemory($0) ? $0 : nil }, time: sample.time)
    }
}
