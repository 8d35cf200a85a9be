import ArgumentParser
import Foundation
import MinibotAgent
import MinibotAvailability
import MinibotClient
import MinibotCore
import MinibotHostFacts
import MinibotMaster
import MinibotSimulation

/// `minibot availability simulate`: replays recorded load and build arrivals through a
/// master.cfg's availability policy (and optionally a host agent's), and prints when each
/// build would have started and why it waited.
struct AvailabilitySimulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Replay recorded load and build arrivals through an availability policy: when would each build have started, and why did it wait?",
        discussion: """
            By default the trace is each worker's flight recorder, fetched from the master \
            (GET /api/v2/workers/NAME/samples), and the arrivals are the master's own history \
            (GET /api/v2/buildrequests?complete=true). Give --trace and --arrivals to replay files instead.
            """)

    @OptionGroup var master: MasterOptions
    @Option(name: .long, help: "The master.cfg whose policy is replayed.") var config: String = "master.cfg"
    @Option(name: .long, help: "A second master.cfg, replayed with the same trace and arrivals and printed beside the first.")
    var compare: String?
    @Option(name: .long, help: "A worker to replay (repeat for several; default: every worker of master.cfg).")
    var worker: [String] = []
    @Option(name: .long, help: "Recorded load: [WORKER=]FILE, the JSON of GET /api/v2/workers/NAME/samples (repeatable; without WORKER= for every worker).")
    var trace: [String] = []
    @Option(name: .long, help: "Build arrivals: a file of lines 'TIME BUILDER DURATION [PRIORITY]' (default: the master's history).")
    var arrivals: String?
    @Option(name: .long, help: "The host agent's agent.yaml: every worker without host_agent: ignore gets its slots from it.") var agent: String?
    @Option(name: .customLong("agent-trace"), help: "The load the agent sampled (default: the first such worker's).")
    var agentTrace: String?
    @Option(name: .long, help: "How many days back from now to replay (default 7).") var days: Double = 7
    @Option(name: .long, help: "Replay from this time (ISO 8601 or seconds since 1970) instead of --days.") var from: String?
    @Option(name: .long, help: "Replay up to this time (default: now).") var to: String?
    @Option(name: .long, help: "Also write the timeline picture to this HTML file.") var html: String?
    @Flag(name: .long, help: "Print the summary only, not one row per build.") var summary = false

    func run() async throws {
        let range = try replayRange()
        let policies = [config] + (compare.map { [$0] } ?? [])
        let loaded = try policies.map { try Self.policy(at: $0) }
        let names = worker.isEmpty ? loaded[0].config.workers.map(\.name) : worker
        for name in names where !loaded[0].config.workers.contains(where: { $0.name == name }) {
            throw Failure.usage("no worker '\(name)' in \(config)")
        }
        let client = (trace.isEmpty || arrivals == nil) ? try master.client() : nil
        let traces = try await self.traces(for: names, range: range, client: client)
        let history = try await self.arrivals(range: range, client: client)
        var agentConfiguration: AgentConfiguration?
        if let agent {
            do {
                agentConfiguration = try AgentConfiguration.load(path: agent, base: AgentConfiguration(socket: .init(path: "")))
            } catch {
                throw Failure.usage(error.description)
            }
        }
        let hostTrace = try agentTrace.map(Self.readTrace) ?? []

        var columns: [SimulationReport.Column] = []
        for (path, policy) in zip(policies, loaded) {
            let workers = names.map { name in
                SimulatedWorker(name: name, settings: policy.availability.settings(for: name),
                                maxBuilds: policy.config.workers.first { $0.name == name }?.maxBuilds ?? 1,
                                trace: traces[name] ?? [],
                                usesAgent: agentConfiguration != nil && policy.availability.settings(for: name).hostAgent != .ignore)
            }
            let simulation = AvailabilitySimulation(
                workers: workers, builders: policy.config.builders, arrivals: history,
                order: policy.config.servingOrder, agent: agentConfiguration?.arbiter,
                agentWindows: agentConfiguration?.windows ?? [], agentTrace: hostTrace,
                from: range.lowerBound, to: range.upperBound, recordsSpans: html != nil)
            columns.append(.init(name: path, result: simulation.run()))
        }
        let report = SimulationReport(columns: columns)
        if !summary { printTable(report.header, report.rows) }
        print(report.summary.joined(separator: "\n"))
        if let html {
            let load = names.lazy.compactMap { traces[$0] }.first { !$0.isEmpty } ?? hostTrace
            do {
                try SimulationPicture(report: report, load: load).html.write(toFile: html, atomically: true, encoding: .utf8)
            } catch {
                throw Failure.failed("cannot write \(html): \(error.localizedDescription)")
            }
            print("wrote \(html)")
        }
    }

    /// The replayed range: --from/--to, else the last --days days.
    func replayRange() throws -> ClosedRange<Date> {
        guard days.isFinite, days > 0, days <= 366 else { throw Failure.usage("--days must be a number of days between 0 and 366") }
        func time(_ text: String, _ option: String) throws -> Date {
            guard let date = SimulationArrivals.time(text) else {
                throw Failure.usage("\(option) takes a time like 2026-12-01T09:00:00Z or seconds since 1970, not '\(text)'")
            }
            return date
        }
        let end = try to.map { try time($0, "--to") } ?? Date()
        let start = try from.map { try time($0, "--from") } ?? end.addingTimeInterval(-days * 86_400)
        guard start < end else { throw Failure.usage("--from must be before --to") }
        guard end.timeIntervalSince(start) <= 366 * 86_400 else { throw Failure.usage("replay at most 366 days") }
        return start...end
    }

    struct Policy {
        var config: MasterConfig
        var availability: AvailabilityConfiguration
    }

    /// A master.cfg, checked as `minibot checkconfig` checks it, and its availability section.
    static func policy(at path: String) throws -> Policy {
        do {
            let config = try Master.check(path: path, plugins: Minibot.plugins)
            guard let section = config.plugins.first(where: { $0.name == AvailabilityPlugin.name }) else {
                throw Failure.usage("\(path) does not enable the availability plugin: add `availability: {}` under `plugins:`")
            }
            return Policy(config: config, availability: try AvailabilityConfiguration(node: section.node, master: config))
        } catch let errors as ConfigErrors {
            throw Failure.usage(errors.description)
        }
    }

    /// Each worker's samples: from --trace files, else from the master's recorder endpoint.
    func traces(for names: [String], range: ClosedRange<Date>, client: MinibotClient?) async throws -> [String: [LoadSample]] {
        var traces: [String: [LoadSample]] = [:]
        for entry in trace {
            if let eq = entry.firstIndex(of: "="), !entry[..<eq].contains("/") {
                traces[String(entry[..<eq])] = try Self.readTrace(String(entry[entry.index(after: eq)...]))
            } else {
                let samples = try Self.readTrace(entry)
                for name in names where traces[name] == nil { traces[name] = samples }
            }
        }
        guard let client else {
            for name in names where traces[name] == nil {
                FileHandle.standardError.write(Data("\(name): no --trace for it; its load counts as unknown\n".utf8))
            }
            return traces
        }
        // The range is checked (at most year 9999), so these conversions cannot fail.
        let since = Int64(exactly: range.lowerBound.timeIntervalSince1970.rounded(.down)) ?? 0
        let until = Int64(exactly: range.upperBound.timeIntervalSince1970.rounded(.up)) ?? 0
        for name in names where traces[name] == nil {
            let path = "api/v2/workers/\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name)/samples?since=\(since)&until=\(until)"
            do {
                traces[name] = try SimulationTrace.samples(json: Data(try await client.getText(path).utf8))
            } catch let error as ClientError {
                if case .connection = error { throw error.failure }
                FileHandle.standardError.write(Data("\(name): no recorded load (\(error)); its load counts as unknown\n".utf8))
            } catch let error as SimulationInputError {
                throw Failure.failed("\(name): the master's samples: \(error)")
            }
        }
        return traces
    }

    static func readTrace(_ path: String) throws -> [LoadSample] {
        do {
            return try SimulationTrace.load(path: path)
        } catch {
            throw Failure.usage(error.description)
        }
    }

    /// The arrivals inside the range: from --arrivals, else the master's history.
    func arrivals(range: ClosedRange<Date>, client: MinibotClient?) async throws -> [SimulatedArrival] {
        let all: [SimulatedArrival]
        if let arrivals {
            guard let data = FileManager.default.contents(atPath: arrivals), data.count <= SimulationTrace.maxBytes,
                  let text = String(data: data, encoding: .utf8) else {
                throw Failure.usage("\(arrivals): cannot be read as UTF-8 text of at most \(SimulationTrace.maxBytes >> 20) MiB; "
                                    + "write one arrival per line: TIME BUILDER DURATION [PRIORITY]")
            }
            do {
                all = try SimulationArrivals.parse(text, file: arrivals)
            } catch {
                throw Failure.usage(error.description)
            }
        } else if let client {
            let answer = try await call { () async throws(ClientError) in
                try await client.getText("api/v2/buildrequests?complete=true&limit=10000")
            }
            do {
                all = try SimulationArrivals.history(json: Data(answer.utf8))
            } catch {
                throw Failure.failed("the master's history: \(error)")
            }
        } else {
            all = []
        }
        return all.filter { range.contains($0.time) }
    }
}
