/// One ``PostgresFixture`` shared by every suite of a test process that runs while it is up:
/// each user ``acquire()``s it and ``release()``s it, the first starts the server and the last
/// stops it. `initdb` is the heavy part (seconds of CPU on a small machine), and suites run in
/// parallel: one server for all of them keeps the rest of the run from being starved.
public actor SharedPostgres {
    public static let shared = SharedPostgres()

    private var server: Task<PostgresFixture, any Error>?
    private var users = 0

    /// The running server, started if no one holds it.
    public func acquire() async throws -> PostgresFixture {
        users += 1
        let starting = server ?? Task { try await PostgresFixture.start() }
        server = starting
        do {
            return try await starting.value
        } catch {
            users -= 1
            if users == 0 { server = nil }
            throw error
        }
    }

    /// Gives the server back; the last user stops it (by its pid) and removes its directory.
    public func release() async {
        users -= 1
        guard users == 0, let last = server else { return }
        server = nil
        if let fixture = try? await last.value { await fixture.stop() }
    }
}
