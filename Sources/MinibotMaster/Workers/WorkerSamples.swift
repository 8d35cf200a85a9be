import Foundation
import Hummingbird
import MinibotHostFacts
import MinibotProtocol

/// Fetches a worker's flight recorder over its link, for the samples API and the worker page.
///
/// The rules in one place: an unknown worker is 404; a worker that is not connected, or that
/// keeps no recorder (a stock buildbot-worker, an older minibot-worker, `--samples-file none`),
/// is 409 with a reason that says which; a worker that does not answer within ``timeout`` is
/// 504. The range is held to 7 days ending at `until`.
enum WorkerSamples {
    static let timeout: Duration = .seconds(30)
    /// The most a fetch covers, as the recorder keeps.
    static let maxRange: TimeInterval = 7 * 86_400

    /// Why samples could not be fetched, as an HTTP status and a message.
    struct Refusal: Error {
        var status: HTTPResponse.Status
        var message: String
    }

    /// The worker's samples in `[since, until]` (since held to 7 days before until), oldest
    /// first, with the interval its recorder announced; a worker silent for `timeout` is 504.
    static func fetch(_ registry: WorkerRegistry, worker name: String, since: Date, until: Date,
                      timeout: Duration = WorkerSamples.timeout) async
        -> Result<(interval: Int, samples: [LoadSample]), Refusal> {
        guard await registry.isConfigured(name) else { return .failure(Refusal(status: .notFound, message: "no worker named \(name)")) }
        guard let link = await registry.link(name) else {
            return .failure(Refusal(status: .conflict,
                                    message: "worker \(name) is not connected: its samples stay on its host until it reconnects"))
        }
        guard let json = link as? JSONWorkerConnection, let announced = json.info.facts[WorkerFacts.samples] else {
            return .failure(Refusal(status: .conflict, message: "worker \(name) keeps no flight recorder (a stock buildbot-worker, "
                                    + "an older minibot-worker, or one started with --samples-file none)"))
        }
        let since = max(since, until.addingTimeInterval(-maxRange))
        do {
            let samples = try await withThrowingTaskGroup(of: [LoadSample]?.self) { group in
                group.addTask { try await json.fetchSamples(since: since, until: until) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            guard let samples else {
                return .failure(Refusal(status: .gatewayTimeout, message: "worker \(name) did not send its samples within \(timeout)"))
            }
            return .success((Int(announced).flatMap { (1...86_400).contains($0) ? $0 : nil } ?? 10, samples))
        } catch let error as SamplesFetchError {
            return .failure(Refusal(status: .conflict, message: "worker \(name): \(error)"))
        } catch {
            return .failure(Refusal(status: .conflict, message: "worker \(name): the fetch was abandoned"))
        }
    }
}
