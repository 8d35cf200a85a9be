import Foundation
import MinibotCompression
import MinibotCore
import MinibotStore

/// Log chunks in every stored format: text, zlib (older workers, older logs) and zstd.
extension StoreConformance {
    /// Chunks written as text, zlib and zstd read back as their text, in order, with their
    /// streams; a zstd chunk whose data is damaged, or that claims more than it holds, is an
    /// error when read, not a short log.
    public static func compressedLogs(make: @escaping Make) async throws {
        let store = try await make()
        let request = try await submit(store, ["a"])[0]
        let build = try await mustStart(store, request)
        try await store.startStep(BuildStep(buildID: build.id, number: 0, name: "make", startedAt: at(101)))
        let text = String(repeating: "cc -c module.c -o module.o ✓\n", count: 400)
        guard let zlib = LogCompression.compress(text, codec: .zlib), let zstd = LogCompression.compress(text, codec: .zstd) else {
            throw Failure(message: "zlib or zstd could not compress a log chunk", line: #line)
        }
        let size = text.utf8.count
        try await store.appendLog(buildID: build.id, step: 0, [
            LogWrite(stream: .header, payload: .text("make all\n")),
            LogWrite(stream: .stdout, payload: .compressed(zlib, size: size, codec: .zlib)),
            LogWrite(stream: .stderr, payload: .compressed(zstd, size: size, codec: .zstd)),
        ])
        let chunks = try await (make()).readLog(buildID: build.id, step: 0, afterChunk: 0, limit: 10)
        try checkEqual(chunks.map(\.stream), [.header, .stdout, .stderr], "the streams of the chunks")
        try checkEqual(chunks.map(\.text), ["make all\n", text, text], "the text of text, zlib and zstd chunks")

        // Step 1: cut in half. Step 2: whole, but claiming twice its size.
        let damaged = [(Array(zstd.prefix(zstd.count / 2)), size, "cut in half"), (zstd, size * 2, "claiming twice its size")]
        for (index, (bytes, claimed, what)) in damaged.enumerated() {
            let step = index + 1
            try await store.startStep(BuildStep(buildID: build.id, number: step, name: "broken", startedAt: at(102)))
            try await store.appendLog(buildID: build.id, step: step, [
                LogWrite(stream: .stdout, payload: .compressed(bytes, size: claimed, codec: .zstd)),
            ])
            do {
                let read = try await store.readLog(buildID: build.id, step: step, afterChunk: 0, limit: 10)
                throw Failure(message: "a zstd chunk \(what) read as \(read.map(\.text.utf8.count)) bytes", line: #line)
            } catch is StoreError {
                // The rule: a StoreError that names the chunk.
            }
        }
    }
}
