import Foundation
import MinibotCore
import MinibotHostFacts
import Subprocess
import Synchronization

/// Reads how long the owner of the machine has been away from its keyboard, for the
/// availability plugin's `owner_idle` rule; called once per status report, never as root.
///
/// In order: a fake file when configured (`--idle-file`, `loginctl show-session` format, for
/// tests and for anyone who wants to feed it from elsewhere); else systemd-logind
/// (`loginctl show-seat seat0 -p ActiveSession`, then `show-session ID -p IdleHint -p
/// IdleSinceHint -p LockedHint`; no active session at the seat means nobody is at the
/// keyboard); else the newest time of `/dev/input/event*`. Each `loginctl` run has a
/// 2-second budget and 64 KiB of output; when `loginctl` cannot be started at all it is not
/// tried again. Nil when nothing could be read: the master then counts the owner as unknown.
final class OwnerIdleReader: Sendable {
    enum Source: Sendable, Equatable {
        case file(String)
        case system
    }

    let source: Source
    private let hasLoginctl = Mutex(true)

    init(source: Source) {
        self.source = source
    }

    func read(now: Date) async -> OwnerActivity? {
        switch source {
        case .file(let path):
            guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                  let session = LogindSession.parse(text) else { return nil }
            return OwnerActivity(idleSeconds: session.idleSeconds(now: now), source: "idle file")
        case .system:
            if hasLoginctl.withLock({ $0 }), let activity = await logind(now: now) { return activity }
            return InputDeviceActivity.newest().map {
                OwnerActivity(idleSeconds: max(now.timeIntervalSince($0), 0), source: "/dev/input")
            }
        }
    }

    private func logind(now: Date) async -> OwnerActivity? {
        guard let seat = await loginctl(["show-seat", "seat0", "-p", "ActiveSession"]) else { return nil }
        guard let id = LogindSession.activeSession(seat) else { return nil }
        if id.isEmpty { return OwnerActivity(idleSeconds: nil, source: "logind: no session at seat0") }
        guard let text = await loginctl(["show-session", id, "-p", "IdleHint", "-p", "IdleSinceHint", "-p", "LockedHint"]),
              let session = LogindSession.parse(text) else { return nil }
        return OwnerActivity(idleSeconds: session.idleSeconds(now: now),
                             source: session.isLocked ? "logind session \(id), screen locked" : "logind session \(id)")
    }

    /// `loginctl ARGS`'s output when it exits 0 within its budget.
    private func loginctl(_ arguments: [String]) async -> String? {
        await withTaskGroup(of: String??.self) { group in
            group.addTask {
                do {
                    let result = try await Subprocess.run(.name("loginctl"), arguments: Arguments(arguments),
                                                          output: .string(limit: LogindSession.maxBytes))
                    guard case .exited(0) = result.terminationStatus else { return .some(nil) }
                    return .some(result.standardOutput)
                } catch let error as SubprocessError where error.code == .executableNotFound {
                    // Not installed: the fallback from now on.
                    self.hasLoginctl.withLock { $0 = false }
                    return .some(nil)
                } catch {
                    return .some(nil)
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(2))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? nil
        }
    }
}
