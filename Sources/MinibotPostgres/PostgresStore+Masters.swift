import Foundation
import MinibotCore
import MinibotStore
import PostgresNIO

/// Master liveness, on the database's clock: every time here is the server's `now()`, never
/// a master's own clock, so masters whose clocks disagree still agree on who is alive.
extension PostgresStore: SharedStore {
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

    public func heartbeat(_ registration: MasterLease, lease: Double, configHash: String?) async throws -> Bool {
        try await !rows("renew the lease of master \(registration.name)", """
            UPDATE masters SET heartbeat_at = now(), lease_expires_at = now() + make_interval(secs => \(lease)),
                               config_hash = COALESCE(\(configHash), config_hash)
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
            // Their schedulers and pollers move at once, not when their job leases run out.
            try await session.rows("DELETE FROM jobs WHERE master = ANY(\(dead))")
            try await session.notify(.rescan)
            return dead.sorted()
        }
    }

    /// Every registered master, by name.
    public func masters() async throws -> [MasterRecord] {
        try await rows("list masters", """
            SELECT m.id, m.name, m.generation, m.active, m.config_hash, m.heartbeat_at, m.lease_expires_at,
                   COALESCE((SELECT array_agg(j.name ORDER BY j.name) FROM jobs j
                             WHERE j.master = m.name AND j.expires_at > now()), '{}') AS jobs
            FROM masters m ORDER BY m.name
            """).map { row in
                MasterRecord(id: try row["id"].decode(Int64.self), name: try row["name"].decode(String.self),
                             generation: try row["generation"].decode(Int64.self),
                             isActive: try row["active"].decode(Bool.self),
                             configHash: try row["config_hash"].decode(String?.self),
                             heartbeatAt: try row["heartbeat_at"].decode(Date.self),
                             leaseExpiresAt: try row["lease_expires_at"].decode(Date.self),
                             jobs: try row["jobs"].decode([String].self))
            }
    }

    public func holdJobs(_ names: [String], master: String, lease: Double) async throws -> Set<String> {
        try await transaction("hold the jobs of master \(master)") { session in
            try await session.rows("DELETE FROM jobs WHERE master = \(master) AND NOT (name = ANY(\(names)))")
            guard !names.isEmpty else { return [] }
            // Free names are inserted; a held one changes hands only when it expired (its
            // master stopped renewing) or is already this master's (a renewal).
            return Set(try await session.rows("""
                INSERT INTO jobs (name, master, expires_at)
                SELECT n, \(master), now() + make_interval(secs => \(lease)) FROM unnest(\(names)::text[]) AS n
                ON CONFLICT (name) DO UPDATE SET master = excluded.master, expires_at = excluded.expires_at
                WHERE jobs.master = excluded.master OR jobs.expires_at < now()
                RETURNING name
                """).map { try $0["name"].decode(String.self) })
        }
    }
}
