import Logging
import MinibotCore
import ServiceLifecycle

/// Runs a plugin's background work in the master's service group. A plugin that fails
/// is logged; it does not take the master down.
struct PluginService: Service {
    let name: String
    let plugin: any MasterPlugin
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await plugin.run() }
        } catch is CancellationError {
            return
        } catch {
            logger.error("plugin stopped with an error: \(error)", metadata: ["plugin": "\(name)"])
        }
        // Stay in the group until shutdown: a service that returns early would stop the master.
        try? await gracefulShutdown()
    }
}

/// Reloads the configuration on SIGHUP (what `minibot reconfig DIR` sends).
struct ReloadOnHangup: Service {
    let master: Master

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangups { await master.reload() }
        }
    }
}

import UnixSignals
