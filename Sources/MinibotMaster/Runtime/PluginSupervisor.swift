import Logging
import MinibotCore
import ServiceLifecycle

/// Runs the plugins' background work: those enabled at start, and those a reconfig adds;
/// stops one a reconfig removes. At shutdown every plugin's `run()` is cancelled and awaited.
actor PluginSupervisor: Service {
    private var tasks: [String: Task<Void, Never>] = [:]
    private var isShuttingDown = false
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func start(name: String, plugin: any MasterPlugin) {
        guard !isShuttingDown else { return }
        tasks[name]?.cancel()
        let logger = self.logger
        tasks[name] = Task {
            do {
                try await plugin.run()
            } catch is CancellationError {
                return
            } catch {
                logger.error("plugin stopped with an error: \(error)", metadata: ["plugin": "\(name)"])
            }
        }
    }

    /// Cancels a plugin's `run()` and waits for it to return.
    func stop(name: String) async {
        guard let task = tasks.removeValue(forKey: name) else { return }
        task.cancel()
        await task.value
    }

    func run() async throws {
        // Until the master shuts down (gracefully or not), then stop every plugin.
        try? await gracefulShutdown()
        isShuttingDown = true
        let running = tasks
        tasks = [:]
        for task in running.values { task.cancel() }
        for task in running.values { await task.value }
    }
}
