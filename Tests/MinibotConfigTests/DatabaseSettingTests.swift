import MinibotConfig
import MinibotCore
import Testing

/// `db:` names a SQLite file or a PostgreSQL URL; checkconfig reports a bad URL at its line.
@Suite struct DatabaseSettingTests {
    @Test func aPostgresURLLoads() throws {
        let config = try load("db: postgresql://ci@db.example:5432/minibot\n" + minimal)
        #expect(config.db == "postgresql://ci@db.example:5432/minibot")
        #expect(try DatabaseAddress(config.db).isShared)
    }

    @Test func aURLWithAPasswordIsRefusedWithoutRepeatingIt() {
        let found = problems("db: postgresql://ci:hunter2@db.example/minibot\n" + minimal)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("1:1: the database URL holds a password") == true, "\(found)")
        #expect(found.allSatisfy { !$0.contains("hunter2") })
    }

    @Test func anUnknownSchemeOrAnEmptyNameIsAProblem() {
        #expect(problems("db: mysql://ci@db/minibot\n" + minimal).first?.contains("unknown kind of database") == true)
        #expect(problems("db: ''\n" + minimal).first?.contains("'db' is empty") == true)
    }
}
