import MinibotCore
@testable import MinibotMaster

extension EventLog {
    /// The fields of the first event of this kind, waiting for it to be recorded (the long
    /// poll wakes on every new event; nothing sleeps).
    func waitFor(_ kind: MasterEvent, after start: Int64 = 0) async throws -> [String: JSONValue] {
        var seq = start
        while true {
            try Task.checkCancellation()
            for event in await events(after: seq, timeout: 300) {
                if event.type == kind { return event.fields }
                seq = event.seq
            }
        }
    }
}
