import MinibotCore
import MinibotStore

/// Follows the logs of one build's steps for a stream: where it read up to, a converter per
/// step, and how many lines the page already has. Turns new output into `log` frames.
struct BuildLogFollower: Sendable {
    private struct Step: Sendable {
        var converter = AnsiToHTML()
        var afterChunk: Int64 = 0
        var lines = 0
        var isDone = false
    }

    private var steps: [Int: Step] = [:]
    private let known: [Int: Int]

    init(known: [Int: Int]) { self.known = known }

    /// Reads what was stored since the last call for `step` and returns the new lines as
    /// frames (`event: log`, data `{"step": N, "lines": [{"n": 1, "html": "…"}]}`).
    mutating func read(store: any Store, build: Int64, step number: Int, isDone: Bool, seq: Int64) async throws -> [ServerSentEvent] {
        var step = steps[number] ?? Step()
        guard !step.isDone else { return [] }
        var html: [String] = []
        while true {
            let chunks = try await store.readLog(buildID: build, step: number, afterChunk: step.afterChunk, limit: 64)
            if chunks.isEmpty { break }
            for c in chunks {
                html += step.converter.feed(c.text)
                step.afterChunk = c.id
            }
        }
        if isDone {
            if let last = step.converter.finish() { html.append(last) }
            step.isDone = true
        }
        let first = step.lines + 1
        step.lines += html.count
        steps[number] = step
        let skip = max(0, (known[number] ?? 0) - first + 1)
        var frames: [ServerSentEvent] = []
        var numbered = Array(html.enumerated().dropFirst(skip))
        while !numbered.isEmpty {
            let batch = numbered.prefix(EventStreamRoutes.linesPerFrame)
            numbered.removeFirst(batch.count)
            let lines: [JSONValue] = batch.map { .object(["n": .number(Double(first + $0.offset)), "html": .string($0.element)]) }
            let data = JSONValue.object(["step": .number(Double(number)), "lines": .array(lines)]).data
            frames.append(ServerSentEvent(id: seq, event: "log", data: String(decoding: data, as: UTF8.self)))
        }
        return frames
    }
}
