import Foundation
import MinibotCore
import MinibotStore
import PostgresNIO

/// Master liveness, on the database's clock: every time here is the server's `now()`, never
/// a master's own clock, so masters whose clocks disagree still agree on who is alive.
extension PostgresStore: SharedStore {
    /// A row of the `masters` table, for the API and for tests.
    public struct MasterRecord: Sendable, Equatable {
        public var name: String
        public var generation: Int64
        public var isActive: Bool
        public var configHash: String?
        public var heartbeatAt: Date
        public var leaseExpiresAt: Date
    }

    public func registerMaster(name: String, configHash: String?, lease: Double) async throws -> MasterLease {
        let row = try await rows("register master \(name)", """
            INSERT INTO masters (name, generation, heartbeat_at, lease_expires_at, config_hash, active)
            VALUES (\(name), 1, now(), now() + make_interval(secs => \(lease)), \(configHash), true)
            ON CONFLICT (name) DO UPDATE SET generation = masters.generation + 1, heartbeat_at = now(),
                lease_expires_at = excluded.lease_expires_at, config_hash = excluded.config_hash, active = true
            RETURNING id, generation
            """)[0]
        return MasterLease(id: try row["id"].decode(Int64.self), name: name,
                           generation: try row["generation"].decode(Int64.self))
    }

    public func heartbeat(_ registration: MasterLease, lease: Double) async throws -> Bool {
        try await !rows("renew the lease of master \(registration.name)", """
            UPDATE masters SET heartbeat_at = now(), lease_expires_at = now() + make_interval(secs => \(lease))
            WHERE id = \(registration.id) AND generation = \(registration.generation) AND active
            RETURNING id
            """).isEmpty
    }

    /// The reaper, under a transaction-scoped advisory lock so any number of masters may run it
    /// at once; their requests go back to their old place in the queue.
    public func reapExpiredMasters(reason: String = "master lost") async throws -> [String] {
        try await transaction("release the claims of masters whose lease expired") { session in
            try await session.rows("SELECT pg_advisory_xact_lock(\(PostgresSchema.reaperLock))")
            let dead = try await session.rows("""
                UPDATE masters SET active = false WHERE active AND lease_expires_at < now() RETURNING name
                """).map { try $0["name"].decode(String.self) }
            guard !dead.isEmpty else { return [] }
            // Requests first, then their builds (by the dead masters' names and the tokens the
            // requests held): the order a finish locks them in, so the two never deadlock.
            try await session.rows("""
                WITH released AS (
                    UPDATE buildrequests r SET claimed_by = NULL, claimed_at = NULL, claim_token = NULL
                    FROM (SELECT id, claimed_by, claim_token FROM buildrequests
                          WHERE claimed_by = ANY(\(dead)) AND NOT complete FOR UPDATE) old
                    WHERE r.id = old.id
                    RETURNING old.id, old.claimed_by AS master, old.claim_token AS token
                )
                UPDATE builds SET complete_at = now(), results = \(BuildResult.retry.rawValue), state_string = \(reason)
                WHERE complete_at IS NULL
                  AND (buildrequest_id, master, claim_token) IN (SELECT id, master, token FROM released)
                """)
            return dead.sorted()
        }
    }

    /// Every registered master, by name.
    public func masters() async throws -> [MasterRecord] {
        try await rows("list masters", """
            SELECT name, generation, active, config_hash, heartbeat_at, lease_expires_at FROM masters ORDER BY name
            """).map { row in
                MasterRecord(name: try row["name"].decode(String.self),
                             generation: try row["generation"].decode(Int64.self),
                             isActive: try row["active"].decode(Bool.self),
                             configHash: try row["config_hash"].decode(String?.self),
                             heartbeatAt: try row["heartbeat_at"].decode(Date.self),
                             leaseExpiresAt: try row["lease_expires_at"].decode(Date.self))
            }
    }
}
