import Foundation
import MinibotCompression
import MinibotCore
import Testing
@testable import MinibotSQLite
import MinibotStore

/// Log chunks in a database written by an older Minibot, and the format number of new ones.
@Suite struct SQLiteLogFormatTests {
    static let v4 = "v4: pending requests indexed in serving order"

    /// A database from before format numbers (v4): its zlib chunk has a size and no format,
    /// and still reads as its text once the store has migrated the file.
    @Test func aZlibChunkFromBeforeFormatNumbersStillReads() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("state.sqlite").path
            let text = String(repeating: "cc -c old.c -o old.o\n", count: 300)
            let zlib = try #require(LogCompression.compress(text, codec: .zlib))
            let hex = zlib.map { String(format: "%02x", $0) }.joined()
            try SQLiteStore.makeOlderDatabase(at: path, upTo: Self.v4, sql: """
                INSERT INTO buildsets (id, reason, scheduler, ss_repository, ss_project, properties, submitted_at)
                    VALUES (1, 'old', 'force', '/r', '', '{}', 1);
                INSERT INTO buildrequests (id, buildset_id, builder, priority, submitted_at, reason, ss_repository,
                                           ss_project, properties, claimed_by, complete, results)
                    VALUES (1, 1, 'b', 0, 1, 'old', '/r', '', '{}', 'm1', 1, 0);
                INSERT INTO builds (id, builder, number, buildrequest_id, worker, master, started_at, complete_at,
                                    results, state_string, properties)
                    VALUES (1, 'b', 1, 1, 'w1', 'm1', 1, 2, 0, 'done', '{}');
                INSERT INTO logs (build_id, step, stream, text, size) VALUES (1, 0, 'o', X'\(hex)', \(text.utf8.count));
                INSERT INTO logs (build_id, step, stream, text) VALUES (1, 0, 'e', 'plain');
                """)
            let store = try SQLiteStore(path: path)
            let chunks = try await store.readLog(buildID: 1, step: 0, afterChunk: 0, limit: 10)
            #expect(chunks.map(\.text) == [text, "plain"])
            #expect(chunks.map(\.stream) == [.stdout, .stderr])
        }
    }

    /// A format number this version does not know (a newer Minibot wrote it) is an error.
    @Test func aChunkInAnUnknownFormatIsAnError() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.appendingPathComponent("state.sqlite").path
            let store = try SQLiteStore(path: path)
            let request = try #require(try await store.submit(["b"]).first)
            let build = try await store.mustStart(request)
            try await store.appendLog(buildID: build.id, step: 0, [
                LogWrite(stream: .stdout, payload: .compressed([1, 2, 3], size: 3, codec: .zstd)),
            ])
            try await store.rewriteLogFormats(to: 99)
            await #expect(throws: StoreError.self) {
                _ = try await store.readLog(buildID: build.id, step: 0, afterChunk: 0, limit: 10)
            }
        }
    }
}
