import Foundation
import MinibotProtocol

// The master ↔ stock buildbot-worker contract (Buildbot 4.3's "master-worker-msgpack" spec;
// `buildbot-worker` 4.3.0 made with `create-worker --protocol=msgpack_experimental_v7`).
//
// Transport: a WebSocket upgrade of `GET /` on the master's www port (the path a stock worker
// dials; a plain `GET /` is still the web page) with `Authorization: Basic
// base64(NAME:PASSWORD)`, no subprotocol. The credentials are checked before the upgrade by
// `WorkerRegistry.refusal(name:password:wireProtocol:)`, like every other worker's; a refused
// upgrade is answered 401 (bad or missing credentials, or a name declared `protocol: native`)
// or 409 (already connected) by RefusedUpgrade, with the reason logged. One binary frame holds
// one MessagePack map (MessagePack.swift); a text frame or a frame that does not decode closes
// the link.
//
// Requests carry `op` and `seq_number`; each side numbers its own and answers every request
// of the other with `{op: "response", seq_number, result}` (plus `is_exception: true` on
// failure). MsgpackSession keeps the table.
//
// Flow:
//   master                                           worker
//   get_worker_info                              ──▶ (basedir, numcpus, version, os_*, info files)
//   set_worker_settings(buffer_timeout 0.1 s…)   ──▶ then the worker is usable
//   start_command(command_id, "shell", args)     ──▶ one per shell step; a git step is several
//                                                ◀── update(command_id, [[key, value]…])…
//                                                ◀── complete(command_id, null | error)
//   interrupt_command(command_id, why)           ──▶ stop; the command still completes
//   keepalive every heartbeat                    ──▶ the worker never speaks unasked
//   start_command(ID-load-N, "shell", cat …)     ──▶ every 5 s: the load probe (MsgpackLoadProbe),
//                                                    whose output belongs to no step
//   shutdown                                     ──▶ the worker process exits
//
// `update`s for a command may arrive before the answer to its `start_command`; `rc` comes
// before `complete`, which ends the command. Command ids never repeat on a worker (the worker
// keys its running commands by id, across links): they carry a per-master-process nonce.
//
// Heartbeats: three intervals without any frame close the link; its builds end RETRY.
//
// Cancellation and lost links: buildbot-worker 4.3 keeps its commands running when its link
// drops (and when it gets SIGTERM), so the master remembers the ids that were running and
// interrupts them as soon as the same worker is back; a `worker kill` interrupts them before
// its `shutdown`.

/// Values of the stock-worker link that are not decisions: credentials, command arguments.
enum MsgpackWire {
    /// The `args` of a `start_command shell`.
    static func shellArgs(command: StepCommand.Shell, workdir: String, env: [String: String],
                          maxTime: Int?) -> MessagePackValue {
        let commandValue: MessagePackValue = switch command {
        case .argv(let argv): .array(argv.map(MessagePackValue.string))
        case .script(let script): .string(script)
        }
        var entries: [MessagePackValue.MapEntry] = [
            .init(.string("workdir"), .string(workdir)),
            .init(.string("command"), commandValue),
            .init(.string("env"), .map(env.sorted { $0.key < $1.key }.map { .init(.string($0.key), .string($0.value)) })),
            .init(.string("want_stdout"), .bool(true)),
            .init(.string("want_stderr"), .bool(true)),
            .init(.string("logEnviron"), .bool(false)),
            .init(.string("usePTY"), .bool(false)),
            // The whole process group, at once: a step that ignores SIGTERM must still stop.
            .init(.string("interruptSignal"), .string("KILL")),
        ]
        if let maxTime { entries.append(.init(.string("maxTime"), .int(Int64(maxTime)))) }
        return .map(entries)
    }

    /// `(name, password)` from an `Authorization: Basic …` header, or nil when it is not one.
    static func basicCredentials(_ header: String?) -> (name: String, password: String)? {
        guard let header, header.utf8.count <= 4096 else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":") else { return nil }
        let name = String(text[..<colon])
        guard !name.isEmpty else { return nil }
        return (name, String(text[text.index(after: colon)...]))
    }

    /// The absolute workdir of a step: the worker's basedir, then `BUILDER/WORKDIR`; nil when
    /// the relative part is absolute or climbs out (the master never sends one).
    static func workdir(basedir: String, relative: String) -> String? {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: true)
        guard !relative.hasPrefix("/"), !parts.contains(".."), !relative.contains("\0") else { return nil }
        var base = basedir
        while base.count > 1, base.hasSuffix("/") { base.removeLast() }
        return ([base == "/" ? "" : base] + parts.map(String.init)).joined(separator: "/")
    }
}
