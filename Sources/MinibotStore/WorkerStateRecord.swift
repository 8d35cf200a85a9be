import Foundation
import MinibotCore

/// What the master persists about a worker (pause state survives restarts).
public struct WorkerStateRecord: Sendable, Equatable {
    public var name: String
    public var isPaused: Bool
    public var pauseReason: String?
    public var lastConnected: Date?
    public var info: WorkerInfo?

    public init(name: String, isPaused: Bool = false, pauseReason: String? = nil, lastConnected: Date? = nil,
                info: WorkerInfo? = nil) {
        self.name = name
        self.isPaused = isPaused
        self.pauseReason = pauseReason
        self.lastConnected = lastConnected
        self.info = info
    }
}
