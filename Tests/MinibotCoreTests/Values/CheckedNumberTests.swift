import Foundation
import MinibotCore
import Testing

/// Issue 12: numbers from outside are converted by checked means only.
@Suite struct CheckedNumberTests {
    @Test func jsonIntegersAreExactAndInRange() {
        #expect(JSONValue.number(3).intValue == 3)
        #expect(JSONValue.number(3.5).intValue == nil)
        #expect(JSONValue.number(1e300).intValue == nil)
        #expect(JSONValue.number(.nan).intValue == nil)
        #expect(JSONValue.number(.infinity).intValue == nil)
        #expect(JSONValue.number(Double(Int.max)).intValue == nil) // rounds up to 2^63
        #expect(JSONValue.number(-1).integer(in: UInt64(0)...10) == nil)
        #expect(JSONValue.string("3").intValue == nil)
        #expect(JSONValue.number(4).integer(in: 1...3) == nil)
        #expect(JSONValue.number(2.5).number(in: 0...3) == 2.5 && JSONValue.number(.nan).number(in: 0...3) == nil)
    }

    /// A worker reporting load 1e18 (or NaN) sends a malformed report: the link's decoder
    /// refuses it instead of the availability plugin trapping on it.
    @Test func workerReportsOutsideTheBoundsDoNotDecode() throws {
        func decode(_ json: String) -> WorkerStatus? {
            try? JSONDecoder().decode(WorkerStatus.self, from: Data(json.utf8))
        }
        #expect(decode(#"{"load1": 1.5, "cpuPressure": 12, "time": 0}"#)?.load1 == 1.5)
        #expect(decode(#"{"load1": 1e18, "time": 0}"#) == nil)
        #expect(decode(#"{"load1": -1, "time": 0}"#) == nil)
        #expect(decode(#"{"load1": 1, "load5": 1e300, "time": 0}"#) == nil)
        #expect(decode(#"{"load1": 1, "cpuPressure": 101, "time": 0}"#) == nil)
    }

    @Test func prioritiesHaveADocumentedRange() {
        #expect(BuildRequest.priorityRange.contains(Int(Int32.max)))
        #expect(!BuildRequest.priorityRange.contains(Int.max))
    }
}
