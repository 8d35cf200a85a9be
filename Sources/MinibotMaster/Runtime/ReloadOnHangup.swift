import Logging
import MinibotCore
import ServiceLifecycle

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
