import Foundation
import MinibotStore
import MinibotTesting
import Testing
@testable import MinibotSQLite

/// ``StoreConformance`` against the SQLite store on a real file: each test gets a fresh
/// directory, and every store the case opens is a new `SQLiteStore` on the same file (a
/// second master, or the same master after a restart).
@Suite final class SQLiteStoreConformanceTests {
    let directory: TemporaryDirectory
    let make: StoreConformance.Make

    init() throws {
        let directory = try TemporaryDirectory("minibot-store-conformance")
        let path = directory.appending("state.sqlite").path
        self.directory = directory
        self.make = { try SQLiteStore(path: path) }
    }

    deinit { directory.remove() }

    /// One test case per conformance case, so a new case cannot be forgotten here.
    @Test(arguments: StoreConformance.cases.map(\.name))
    func conformance(_ name: String) async throws {
        let run = try #require(StoreConformance.cases.first { $0.name == name }).run
        try await run(make)
    }
}
