import Foundation

/// Why a subscription waits: what the arbiter tells subscribers and shows in status.
struct WaitReason: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case recovering, hostBlocked, slotsBusy, settling, noLoadSample, load, cpuPressure, offeredElsewhere
    }

    var kind: Kind
    var message: String
    var until: Date?

    /// Whether subscribers must hear about the change from `old` to `self`. A countdown
    /// ("settling 18 s") does not count as a change, or every event would resend it.
    func differs(from old: WaitReason?) -> Bool {
        guard let old else { return true }
        switch kind {
        case .recovering, .settling:
            return old.kind != kind || old.until != until
        default:
            return old != self
        }
    }
}
