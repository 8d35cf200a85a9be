import Foundation
import MinibotCore
import MinibotStore
import PostgresNIO

extension PostgresStore {
    public func workerState(_ worker: String) async throws -> WorkerStateRecord? {
        guard let row = try await rows("read the state of worker \(worker)", """
            SELECT paused, pause_reason, last_connected, info::text AS info FROM workers WHERE name = \(worker)
            """).first else { return nil }
        let info = try row["info"].decode(String?.self).map {
            try StoreJSON.decode(WorkerInfo.self, $0, "info of worker \(worker)")
        }
        return WorkerStateRecord(name: worker, isPaused: try row["paused"].decode(Bool.self),
                                 pauseReason: try row["pause_reason"].decode(String?.self),
                                 lastConnected: try row["last_connected"].decode(Date?.self), info: info)
    }

    public func setWorkerState(_ state: WorkerStateRecord) async throws {
        let info = try state.info.map { try StoreJSON.encode($0, "worker info") }
        try await rows("record the state of worker \(state.name)", """
            INSERT INTO workers (name, paused, pause_reason, last_connected, info)
            VALUES (\(state.name), \(state.isPaused), \(state.pauseReason), \(state.lastConnected), \(info)::jsonb)
            ON CONFLICT (name) DO UPDATE SET paused = excluded.paused, pause_reason = excluded.pause_reason,
                last_connected = excluded.last_connected, info = excluded.info
            """)
    }

    public func pluginState(plugin: String, key: String) async throws -> JSONValue? {
        guard let row = try await rows("read state \(key) of plugin \(plugin)", """
            SELECT value::text AS value FROM plugin_state WHERE plugin = \(plugin) AND key = \(key)
            """).first else { return nil }
        return try StoreJSON.decode(JSONValue.self, row["value"].decode(String.self), "state \(key) of plugin \(plugin)")
    }

    public func pluginStates(plugin: String) async throws -> [String: JSONValue] {
        var states: [String: JSONValue] = [:]
        for row in try await rows("read the state of plugin \(plugin)", """
            SELECT key, value::text AS value FROM plugin_state WHERE plugin = \(plugin)
            """) {
            let key = try row["key"].decode(String.self)
            states[key] = try StoreJSON.decode(JSONValue.self, row["value"].decode(String.self),
                                                    "state \(key) of plugin \(plugin)")
        }
        return states
    }

    public func setPluginState(plugin: String, key: String, value: JSONValue?) async throws {
        guard let value else {
            try await rows("delete state \(key) of plugin \(plugin)",
                           "DELETE FROM plugin_state WHERE plugin = \(plugin) AND key = \(key)")
            return
        }
        let text = try StoreJSON.encode(value, "state \(key) of plugin \(plugin)")
        try await rows("record state \(key) of plugin \(plugin)", """
            INSERT INTO plugin_state (plugin, key, value) VALUES (\(plugin), \(key), \(text)::jsonb)
            ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value
            """)
    }
}
