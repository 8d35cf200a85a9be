import Foundation
import MinibotCore
import Testing

/// The memory and IO pressure and free memory a worker reports: optional (an older worker
/// does not send them), and refused outside ``LoadBounds``.
@Suite struct WorkerStatusSignalsTests {
    func decode(_ json: String) -> WorkerStatus? {
        try? JSONDecoder().decode(WorkerStatus.self, from: Data(json.utf8))
    }

    @Test func anOlderReportStillDecodes() {
        let status = decode(#"{"load1": 1.5, "cpuPressure": 12, "time": 0}"#)
        #expect(status?.memoryPressure == nil && status?.ioPressure == nil && status?.freeMemory == nil)
    }

    @Test func newFieldsRoundTrip() throws {
        let status = WorkerStatus(load1: 1, memoryPressure: 23.4, ioPressure: 0.5, freeMemory: 2_147_483_648,
                                  time: Date(timeIntervalSinceReferenceDate: 0))
        let data = try JSONEncoder().encode(status)
        #expect(try JSONDecoder().decode(WorkerStatus.self, from: data) == status)
    }

    @Test(arguments: [
        #"{"load1": 1, "memoryPressure": 101, "time": 0}"#,
        #"{"load1": 1, "memoryPressure": -0.1, "time": 0}"#,
        #"{"load1": 1, "ioPressure": 1e300, "time": 0}"#,
        #"{"load1": 1, "freeMemory": -1, "time": 0}"#,
        #"{"load1": 1, "freeMemory": 1e300, "time": 0}"#,
        #"{"load1": 1, "freeMemory": "2G", "time": 0}"#,
    ])
    func outOfBoundsReportsDoNotDecode(_ json: String) {
        #expect(decode(json) == nil)
    }
}
