import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// Runs one statement on a connection and collects its rows, and fails instead of waiting for
/// ever when the connection closes under it.
///
/// postgres-nio 1.33's `PostgresConnection.query` hands the query to its channel without a
/// write promise, so a query that reaches a connection just as it closes can be dropped with
/// nothing left to answer it. A server restart or `pg_terminate_backend` ends every
/// connection, and the ROLLBACK sent after a COMMIT that failed that way is the usual victim:
/// the transaction's caller waited for ever, which held a build, its worker slot and its
/// request's claim (a build stuck "starting" in about one PostgreSQL restart in three). So the
/// wait also ends, with ``PostgresConnectionClosed``, once the connection is seen closed; it is
/// looked at every ``closedCheck`` while a statement has not answered. The library's own wait
/// is left behind then (one small promise per such statement).
enum BoundedQuery {
    static let closedCheck: TimeAmount = .seconds(1)

    static func rows(_ query: PostgresQuery, on connection: PostgresConnection,
                     logger: Logger) async throws -> [PostgresRandomAccessRow] {
        guard !connection.isClosed else { throw PostgresConnectionClosed() }
        let answer = Answer()
        return try await withCheckedThrowingContinuation { continuation in
            answer.wait(continuation)
            Task {
                do {
                    let rows = try await connection.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
                    answer.resume(with: .success(rows))
                } catch {
                    answer.resume(with: .failure(error))
                }
            }
            watch(connection, answer)
        }
    }

    /// Looks again after ``closedCheck`` until the statement answers or the connection closed.
    private static func watch(_ connection: PostgresConnection, _ answer: Answer) {
        let check = connection.eventLoop.scheduleTask(in: closedCheck) {
            if connection.isClosed {
                answer.resume(with: .failure(PostgresConnectionClosed()))
            } else {
                watch(connection, answer)
            }
        }
        answer.keep(check)
    }

    /// The one answer a statement gets: its rows, its error, or the connection's close,
    /// whichever comes first; the pending check is cancelled with it.
    private final class Answer: Sendable {
        private struct State {
            var continuation: CheckedContinuation<[PostgresRandomAccessRow], any Error>?
            var check: Scheduled<Void>?
            var answered = false
        }
        private let state = Mutex(State())

        func wait(_ continuation: CheckedContinuation<[PostgresRandomAccessRow], any Error>) {
            state.withLock { $0.continuation = continuation }
        }

        func keep(_ check: Scheduled<Void>) {
            let answered = state.withLock { s in
                if !s.answered { s.check = check }
                return s.answered
            }
            if answered { check.cancel() }
        }

        func resume(with result: Result<[PostgresRandomAccessRow], any Error>) {
            let (continuation, check) = state.withLock { s -> (CheckedContinuation<[PostgresRandomAccessRow], any Error>?, Scheduled<Void>?) in
                guard !s.answered else { return (nil, nil) }
                s.answered = true
                defer { s.continuation = nil; s.check = nil }
                return (s.continuation, s.check)
            }
            check?.cancel()
            continuation?.resume(with: result)
        }
    }
}

/// A statement was not run, or its answer was lost, because the connection to the server
/// closed (a server restart, a terminated backend); trying again on another connection may work.
struct PostgresConnectionClosed: Error, CustomStringConvertible {
    var description: String { "the connection to the server closed" }
}
