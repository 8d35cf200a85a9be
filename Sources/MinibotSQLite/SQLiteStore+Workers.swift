import Foundation
import GRDB
import MinibotCore
import MinibotStore

extension SQLiteStore {
    public func workerState(_ worker: String) async throws -> WorkerStateRecord? {
        try await read("read the state of worker \(worker)") { db in
            guard let row = try Row.fetchOne(db.cachedStatement(
                sql: "SELECT paused, pause_reason, last_connected, info FROM workers WHERE name = ?"),
                arguments: [worker]) else { return nil }
            let info = try (row["info"] as String?).map {
                try StoreJSON.decode(WorkerInfo.self, $0, "info of worker \(worker)")
            }
            return WorkerStateRecord(name: worker, isPaused: row["paused"], pauseReason: row["pause_reason"],
                                     lastConnected: StoreCoding.optionalDate(row, "last_connected"), info: info)
        }
    }

    public func setWorkerState(_ state: WorkerStateRecord) async throws {
        let info = try state.info.map { try StoreJSON.encode($0, "worker info") }
        try await write("record the state of worker \(state.name)") { db in
            try db.cachedStatement(sql: """
                INSERT INTO workers (name, paused, pause_reason, last_connected, info) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET paused = excluded.paused, pause_reason = excluded.pause_reason,
                    last_connected = excluded.last_connected, info = excluded.info
                """).execute(arguments: [
                    state.name, state.isPaused, state.pauseReason, StoreCoding.seconds(state.lastConnected), info,
                ])
        }
    }

    public func pluginState(plugin: String, key: String) async throws -> JSONValue? {
        let text = try await read("read state \(key) of plugin \(plugin)") { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM plugin_state WHERE plugin = ? AND key = ?"),
                                arguments: [plugin, key])
        }
        return try text.map { try StoreJSON.decode(JSONValue.self, $0, "state \(key) of plugin \(plugin)") }
    }

    public func pluginStates(plugin: String) async throws -> [String: JSONValue] {
        try await read("read the state of plugin \(plugin)") { db in
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT key, value FROM plugin_state WHERE plugin = ?"), arguments: [plugin])
            var states: [String: JSONValue] = [:]
            while let row = try rows.next() {
                let key: String = row[0]
                states[key] = try StoreJSON.decode(JSONValue.self, row[1], "state \(key) of plugin \(plugin)")
            }
            return states
        }
    }

    public func setPluginState(plugin: String, key: String, value: JSONValue?) async throws {
        guard let value else {
            try await write("delete state \(key) of plugin \(plugin)") { db in
                try db.cachedStatement(sql: "DELETE FROM plugin_state WHERE plugin = ? AND key = ?")
                    .execute(arguments: [plugin, key])
            }
            return
        }
        let text = try StoreJSON.encode(value, "state \(key) of plugin \(plugin)")
        try await write("record state \(key) of plugin \(plugin)") { db in
            try db.cachedStatement(sql: """
                INSERT INTO plugin_state (plugin, key, value) VALUES (?, ?, ?)
                ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value
                """).execute(arguments: [plugin, key, text])
        }
    }
}
