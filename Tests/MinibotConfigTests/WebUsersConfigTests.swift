import MinibotConfig
import MinibotCore
import Testing

/// Issue 15: `www.users`, `www.public` and `www.session_lifetime`.
@Suite struct WebUsersConfigTests {
    static let hash = "$2b$12$" + String(repeating: "a", count: 53)

    @Test func usersPublicAndLifetimeAreRead() throws {
        let config = try load(minimal + """

            www:
              public: false
              session_lifetime: 2h
              users:
                - {name: anna, password_hash: "\(Self.hash)"}
            """)
        #expect(config.www.users == [WebUser(name: "anna", passwordHash: Self.hash)])
        #expect(!config.www.isPublic)
        #expect(config.www.sessionLifetime == 7200)
        let defaults = try load(minimal).www
        #expect(defaults.isPublic && defaults.users.isEmpty && defaults.sessionLifetime == 12 * 3600)
    }

    @Test func badUsersAreRefusedWithTheirPlace() {
        func www(_ body: String) -> [String] { problems(minimal + "\nwww:\n" + body) }
        #expect(www("  users:\n    - {name: anna, password_hash: secret}\n")
            == ["11:20: a password hash is a 60-character bcrypt hash starting $2b$ (make one with `minibot hash-password`)"])
        #expect(www("  users:\n    - {name: admin, password_hash: \"\(Self.hash)\"}\n").first?.contains("'admin' is the admin token's login") == true)
        #expect(www("  users:\n    - {name: \"a b\", password_hash: \"\(Self.hash)\"}\n").first?.contains("without spaces") == true)
        #expect(www("  users:\n    - {name: anna}\n").first?.contains("password_hash") == true)
        let twice = "  users:\n    - {name: anna, password_hash: \"\(Self.hash)\"}\n    - {name: anna, password_hash: \"\(Self.hash)\"}\n"
        #expect(www(twice).first?.contains("user 'anna' is listed twice") == true)
        #expect(www("  session_lifetime: 5s\n").first?.contains("between 1m and 90d") == true)
        #expect(www("  public: maybe\n").count == 1)
    }

    @Test func hashShapes() {
        #expect(WebUser.hashProblem(Self.hash) == nil)
        #expect(WebUser.hashProblem("$2y$10$" + String(repeating: "Z", count: 53)) == nil)
        #expect(WebUser.hashProblem("$2b$99$" + String(repeating: "a", count: 53)) != nil)
        #expect(WebUser.hashProblem("$2b$12$" + String(repeating: "!", count: 53)) != nil)
        #expect(WebUser.hashProblem("$1$abc") != nil)
        #expect(WebUser.hashProblem("") != nil)
    }
}
