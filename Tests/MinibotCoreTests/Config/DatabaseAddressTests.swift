import Testing
import MinibotCore

@Suite struct DatabaseAddressTests {
    @Test func fileNamesAreSQLite() throws {
        #expect(try DatabaseAddress("state.sqlite") == .sqlite(path: "state.sqlite"))
        #expect(try DatabaseAddress("/var/lib/minibot/state.sqlite") == .sqlite(path: "/var/lib/minibot/state.sqlite"))
        #expect(try !DatabaseAddress("state.sqlite").isShared)
    }

    @Test func postgresURLsNameEveryPart() throws {
        let address = try DatabaseAddress("postgresql://ci@db.example:6543/minibot")
        #expect(address == .postgres(PostgresAddress(host: "db.example", port: 6543, user: "ci", database: "minibot")))
        #expect(address.isShared)
        #expect(try DatabaseAddress("postgres://ci@[::1]/m")
                == .postgres(PostgresAddress(host: "::1", port: 5432, user: "ci", database: "m")))
    }

    @Test func whatTheURLLeavesOutComesFromTheEnvironment() throws {
        let environment = ["PGHOST": "pg", "PGPORT": "5433", "PGUSER": "bot", "PGDATABASE": "ci"]
        #expect(try PostgresAddress(url: "postgresql://", environment: environment)
                == PostgresAddress(host: "pg", port: 5433, user: "bot", database: "ci"))
        // libpq's default database is the user's name.
        #expect(try PostgresAddress(url: "postgresql://bot@localhost", environment: [:]).database == "bot")
    }

    @Test func parametersNameASocketDirectoryAndAPasswordFile() throws {
        let address = try PostgresAddress(url: "postgresql://ci@/minibot?host=/run/postgresql&passfile=/etc/minibot/pgpass")
        #expect(address.isUnixSocket)
        #expect(address.socketPath == "/run/postgresql/.s.PGSQL.5432")
        #expect(address.passfile == "/etc/minibot/pgpass")
        #expect(address.description == "postgresql://ci@localhost:5432/minibot?host=/run/postgresql&passfile=/etc/minibot/pgpass")
    }

    @Test func aPasswordInTheURLIsRefused() {
        #expect(throws: DatabaseAddress.Problem.self) { try DatabaseAddress("postgresql://ci:secret@db/minibot") }
        do {
            _ = try DatabaseAddress("postgresql://ci:secret@db/minibot")
        } catch {
            #expect(!error.message.contains("secret"))
            #expect(error.message.contains("PGPASSWORD"))
        }
    }

    @Test func badURLsSayWhatIsWrong() {
        for (text, words) in [("postgresql://db/minibot", "no user"), ("postgresql://ci@db:99999/m", "port"),
                              ("postgresql://ci@db/m?sslmode=require", "sslmode"),
                              ("postgresql://ci@db/m?timeout=3", "unknown parameter"),
                              ("mysql://ci@db/m", "unknown kind"), ("", "empty")] {
            do {
                _ = try DatabaseAddress(text)
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.message.contains(words), "\(text): \(error.message)")
            }
        }
    }

    @Test func percentEscapesAreDecoded() throws {
        #expect(try PostgresAddress(url: "postgresql://ci%40corp@db/my%2Fdb").user == "ci@corp")
        #expect(try PostgresAddress(url: "postgresql://ci%40corp@db/my%2Fdb").database == "my/db")
    }
}
