import ArgumentParser
import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting

/// `minibot-bench`: measures a release-built master with real local workers and prints
/// medians of several runs. Build it with `swift run -c release minibot-bench`.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minibot-bench",
        abstract: "Benchmark Minibot: latency, throughput, log streaming, memory, start-up, distributor.")

    @Option(name: .long, help: "Runs per scenario (the median is printed).") var runs = 5
    @Option(name: .long, help: "Requests in the throughput scenario.") var requests = 200
    @Option(name: .long, help: "Workers unpaused one by one in the distributor scenario.") var decisions = 40
    @Option(name: .long, help: "Builds of history in the history scenario (comma-separated, ascending).")
    var history = "1000,1000000"
    @Option(name: .long, help: "Requests in the several-masters scenario (PostgreSQL).") var masterRequests = 1000
    @Option(name: .long, help: "Scenarios to run (comma-separated): latency,throughput,log,idle,push,poll,distributor,availability,herd,stock,history,web,eta,masters,all.")
    var only = "all"
    @Option(name: .long, help: "The buildbot-worker 4.3.0 venv of the stock scenario (scripts/install-buildbot-worker).")
    var stockVenv = ".build/buildbot-worker-4.3.0"
    @Option(name: .long, help: "A venv with buildbot==4.3.0 and buildbot-www==4.3.0: the stock scenario also runs Buildbot's master.")
    var buildbotVenv: String?

    func run() async throws {
        let wanted = Set(only.split(separator: ",").map(String.init))
        let all = wanted.contains("all")
        print("minibot-bench: binaries in \(Binaries.directory.path), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        if all || wanted.contains("latency") { try await Scenarios.latency(runs: runs) }
        if all || wanted.contains("throughput") { try await Scenarios.throughput(runs: max(1, runs / 2), requests: requests) }
        if all || wanted.contains("log") { try await Scenarios.bigLog(runs: max(1, runs / 2)) }
        if all || wanted.contains("idle") { try await Scenarios.idle(runs: runs) }
        if all || wanted.contains("push") { try await Scenarios.push(runs: runs) }
        if all || wanted.contains("poll") { try await Scenarios.poll(runs: runs) }
        if all || wanted.contains("distributor") {
            try await DistributorScenario.run(runs: max(1, runs / 2), decisions: decisions)
        }
        if all || wanted.contains("availability") { try await Scenarios.availability(runs: runs) }
        if all || wanted.contains("herd") { try await Scenarios.herd(runs: max(1, runs / 2)) }
        if all || wanted.contains("stock") {
            try await Scenarios.stock(runs: max(1, runs / 2), requests: requests, workerVenv: stockVenv,
                                      buildbotVenv: buildbotVenv)
        }
        if all || wanted.contains("eta") { try await ExpectedStartScenario.run(runs: max(1, runs / 2)) }
        if all || wanted.contains("web") { try await WebScenario.run(runs: max(1, runs / 2)) }
        if all || wanted.contains("masters") {
            try await MastersScenario.run(runs: max(1, runs / 2), requests: masterRequests)
        }
        if all || wanted.contains("history") {
            try await HistoryScenario.run(runs: runs, sizes: history.split(separator: ",").compactMap { Int($0) })
        }
    }
}
