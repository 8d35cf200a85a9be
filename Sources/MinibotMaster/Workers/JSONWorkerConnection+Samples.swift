import Foundation
import MinibotHostFacts
import MinibotProtocol
import Synchronization

/// A samples fetch that did not complete; the API answers 409 (or 504 for a timeout).
enum SamplesFetchError: Error, Equatable, CustomStringConvertible {
    /// Another fetch from this worker is still under way.
    case busy
    /// The link dropped before the last page.
    case lost
    /// The worker sent more than a week of samples.
    case tooMany
    /// The worker could not read its file (its own words).
    case worker(String)

    var description: String {
        switch self {
        case .busy: "another samples fetch from this worker is under way; try again in a moment"
        case .lost: "the worker disconnected during the fetch"
        case .tooMany: "the worker sent more than 7 days of samples"
        case .worker(let why): "the worker cannot read its flight recorder: \(why)"
        }
    }
}

/// The id of a fetch, for its cancellation handler (which may run before the id exists).
final class FetchTicket: Sendable {
    let id = Mutex<UInt64?>(nil)
}

/// The state of the one fetch in flight on a link.
struct SamplesFetch {
    var id: UInt64
    var continuation: CheckedContinuation<[LoadSample], any Error>
    var samples: [LoadSample] = []
}

extension JSONWorkerConnection {
    /// The most samples one fetch accepts: 7 days at the shortest interval a file can have
    /// holds 60,480 slots whatever the interval.
    static let maxFetchedSamples = Int(FlightRecorder.slotCount)

    /// Asks the worker for its recorded samples in `[since, until]` and waits for the last
    /// page. One fetch per link at a time (a second one throws ``SamplesFetchError/busy``);
    /// cancelling the calling task (the API's timeout) abandons it, and late pages are dropped.
    /// Only for a worker whose hello announced `WorkerFacts.samples`.
    func fetchSamples(since: Date, until: Date) async throws -> [LoadSample] {
        let ticket = FetchTicket()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[LoadSample], any Error>) in
                let outcome = state.withLock { s -> Result<UInt64, SamplesFetchError> in
                    guard !s.isClosed else { return .failure(.lost) }
                    guard s.fetch == nil else { return .failure(.busy) }
                    s.nextFetchID += 1
                    s.fetch = SamplesFetch(id: s.nextFetchID, continuation: continuation)
                    return .success(s.nextFetchID)
                }
                switch outcome {
                case .failure(let error):
                    continuation.resume(throwing: error)
                case .success(let id):
                    ticket.id.withLock { $0 = id }
                    let request = FetchSamples(id: id, since: Self.epoch(since), until: Self.epoch(until))
                    if !send(.fetchSamples(request)) || Task.isCancelled { abandonFetch(id, with: Task.isCancelled ? CancellationError() : SamplesFetchError.lost) }
                }
            }
        } onCancel: {
            if let id = ticket.id.withLock({ $0 }) { abandonFetch(id, with: CancellationError()) }
        }
    }

    /// A page from the worker: appended to the fetch it answers, which ends on the last page.
    func receive(_ page: SamplesPage) {
        let finished = state.withLock { s -> (CheckedContinuation<[LoadSample], any Error>, Result<[LoadSample], SamplesFetchError>)? in
            guard var fetch = s.fetch, fetch.id == page.id else { return nil }  // abandoned: dropped
            if let error = page.error {
                s.fetch = nil
                return (fetch.continuation, .failure(.worker(String(error.prefix(300)))))
            }
            let samples = page.samples
            guard fetch.samples.count + samples.count <= Self.maxFetchedSamples else {
                s.fetch = nil
                return (fetch.continuation, .failure(.tooMany))
            }
            fetch.samples += samples
            if page.isLast {
                s.fetch = nil
                return (fetch.continuation, .success(fetch.samples))
            }
            s.fetch = fetch
            return nil
        }
        guard let (continuation, result) = finished else { return }
        continuation.resume(with: result.mapError { $0 as any Error })
    }

    private func abandonFetch(_ id: UInt64, with error: any Error) {
        let fetch = state.withLock { s -> SamplesFetch? in
            guard let fetch = s.fetch, fetch.id == id else { return nil }
            s.fetch = nil
            return fetch
        }
        fetch?.continuation.resume(throwing: error)
    }

    /// Whole epoch seconds, held to what a 32-bit recorder time can be.
    private static func epoch(_ date: Date) -> Int64 {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard seconds.isFinite else { return 0 }
        return Int64(min(max(seconds, 0), Double(UInt32.max)))
    }
}
