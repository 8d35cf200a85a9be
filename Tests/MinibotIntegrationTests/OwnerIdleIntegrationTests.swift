import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// The owner at the keyboard with real processes: the worker reads a fake logind answer
/// (`--idle-file`, `loginctl show-session` format) and the master holds its build while the
/// owner was active within `after`, then starts it once the session has been idle long enough.
@Suite("Owner at the keyboard (integration)", .serialized)
struct OwnerIdleIntegrationTests {
    /// `IdleHint=yes` since `seconds` ago, as `loginctl show-session -p IdleHint -p IdleSinceHint` prints it.
    static func idleFor(_ seconds: Double) -> String {
        let since = UInt64((Date().timeIntervalSince1970 - seconds) * 1_000_000)
        return "IdleHint=yes\nIdleSinceHint=\(since)\nLockedHint=no\n"
    }

    @Test("an owner active 2 min ago holds the build (idle after 10 min); an idle session lets it start")
    func waitsForTheOwnerToLeave() async throws {
        let dir = try TemporaryDirectory("owner-idle")
        defer { dir.remove() }
        let idleFile = dir.appending("idle").path
        try Self.idleFor(120).write(toFile: idleFile, atomically: true, encoding: .utf8)
        let plugin = "  availability:\n    workers:\n      wa: {owner_idle: {after: 10m, mode: strict}}"
        try await AvailabilityIntegrationTests.withCluster(
            config: AvailabilityIntegrationTests.config(workers: ["wa"], plugin: plugin), workers: ["wa"],
            workerArguments: ["wa": ["--idle-file", idleFile, "--status-interval", "200ms"]]) { cluster in
            let master = cluster.master
            let events = try await master.events()
            // Written again now: under a loaded machine the cluster may take a minute to start,
            // and "2 min ago" would read "3 min ago".
            try Self.idleFor(120).write(toFile: idleFile, atomically: true, encoding: .utf8)
            let request = try await master.force("b")
            _ = try await events.requestWaiting(request, containing: "min ago (idle after 10 min)")
            let reasons = try await master.waitingReasons(request)
            #expect(reasons.contains { $0.hasPrefix("wa: worker wa unavailable: owner active ") && $0.hasSuffix(" min ago (idle after 10 min)") },
                    "\(reasons)")

            let shown = try await master.client.get("api/v2/plugins/availability/workers/wa")
            #expect(shown["usable_when"]?.stringValue == "when the owner has been idle 10 min", "\(shown)")

            try Self.idleFor(11 * 60).write(toFile: idleFile, atomically: true, encoding: .utf8)
            #expect(AvailabilityIntegrationTests.worker(of: try await events.buildStarted(request: request)) == "wa")
            #expect(try await events.buildFinished(request: request)["results_name"]?.stringValue == "SUCCESS")
        }
    }
}
