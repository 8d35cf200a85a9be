import Foundation
import MinibotCore

/// One event of a master's stream in a ``SharedStore``: what a master recorded (a build
/// started, a step's output stored, a request cancelled), kept in the database so the other
/// masters can show it live. Each master numbers its own events from 1 (`seq`, assigned by
/// the store in the order they were appended, never reused), so a reader's place is one
/// number per master and nothing committed late is skipped.
public struct SharedEvent: Sendable, Equatable {
    /// The `masters` row of the master that recorded it.
    public var masterID: Int64
    public var master: String
    /// Its place in that master's stream, from 1.
    public var seq: Int64
    /// When the master recorded it (its own clock: shown, never compared).
    public var time: Date
    /// The event's kind, as the API names it (`build_started`, …).
    public var type: String
    public var fields: [String: JSONValue]

    public init(masterID: Int64 = 0, master: String = "", seq: Int64 = 0, time: Date, type: String,
                fields: [String: JSONValue]) {
        self.masterID = masterID
        self.master = master
        self.seq = seq
        self.time = time
        self.type = type
        self.fields = fields
    }
}

/// Where a reader of the shared event stream stands: the last `seq` it has of each master
/// (by `masters` row id). A master missing from it is read from its first event.
public typealias SharedEventPositions = [Int64: Int64]
