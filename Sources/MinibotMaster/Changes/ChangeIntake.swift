import Foundation
import Logging
import MinibotCore
import MinibotStore

/// Where every change enters the master (pollers and the change hook): it is recorded,
/// then offered to the schedulers.
struct ChangeIntake: Sendable {
    let store: any Store
    let schedulers: SchedulerService
    let logger: Logger
    let events: EventLog

    @discardableResult
    func record(_ change: Change) async throws -> Change {
        let recorded = try await store.addChange(change)
        logger.info("change recorded", metadata: [
            "change": "\(recorded.id)", "branch": "\(recorded.branch)",
            "revision": "\(recorded.revision.prefix(12))", "source": "\(recorded.source)",
        ])
        events.record(.change, ["changeid": .number(Double(recorded.id)), "branch": .string(recorded.branch),
                                 "revision": .string(recorded.revision)])
        await schedulers.changeArrived(recorded)
        return recorded
    }
}
