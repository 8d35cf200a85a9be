import MinibotCore
import Testing
@testable import MinibotPostgres

@Suite struct PostgresPasswordFileTests {
    let address = PostgresAddress(host: "db", port: 5432, user: "ci", database: "minibot")

    @Test func theFirstMatchingLineWins() {
        let file = """
            # comment
            other:5432:minibot:ci:wrong
            db:*:minibot:ci:right
            *:*:*:*:fallback
            """
        #expect(PostgresPasswordFile.password(in: file, for: address) == "right")
        #expect(PostgresPasswordFile.password(in: "*:*:*:*:fallback", for: address) == "fallback")
        #expect(PostgresPasswordFile.password(in: "db:5433:minibot:ci:x", for: address) == nil)
    }

    @Test func escapedColonsAndBackslashesArePartOfAField() {
        #expect(PostgresPasswordFile.password(in: #"db:5432:minibot:ci:a\:b\\c"#, for: address) == #"a:b\c"#)
        // Colons after the fourth are the password's own.
        #expect(PostgresPasswordFile.password(in: "db:5432:minibot:ci:a:b", for: address) == "a:b")
    }

    @Test func aSocketHostMatchesLocalhost() {
        let socket = PostgresAddress(host: "/run/postgresql", port: 5432, user: "ci", database: "minibot")
        #expect(PostgresPasswordFile.password(in: "localhost:5432:minibot:ci:s", for: socket) == "s")
    }

    @Test func pgpasswordWinsUnlessTheURLNamesAFile() throws {
        #expect(try PostgresPasswordFile.password(for: address, environment: ["PGPASSWORD": "env"]) == "env")
        var named = address
        named.passfile = "/nonexistent/pgpass"
        #expect(throws: (any Error).self) {
            try PostgresPasswordFile.password(for: named, environment: ["PGPASSWORD": "env"])
        }
        #expect(try PostgresPasswordFile.password(for: address, environment: ["PGPASSFILE": "/nonexistent"]) == nil)
    }
}
