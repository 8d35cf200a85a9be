import MinibotCore

/// Who a login form names, as a pure decision: a named user of `www.users` whose bcrypt hash
/// matches, or `admin` with the admin token as password. The hash check is passed in (it is
/// slow on purpose and runs off the event loop).
///
/// A refusal never says which half was wrong, so the form cannot be used to find user names.
enum WebLogin {
    static let adminName = "admin"

    enum Outcome: Sendable, Equatable {
        case user(String)
        case refused(String)
    }

    static let refusal = "wrong user name or password"

    static func check(name rawName: String, password: String, adminToken: String?, users: [WebUser],
                      verify: (String, String) async -> Bool) async -> Outcome {
        let name = rawName.trimmingCharacters(in: .whitespaces)
        // Longer than any bcrypt input (72 bytes) or token: refused without hashing.
        guard !password.isEmpty, password.utf8.count <= 1024, name.utf8.count <= 64 else { return .refused(refusal) }
        if name.isEmpty || name == adminName {
            guard let adminToken, !adminToken.isEmpty else {
                return .refused("this master has no admin token: set www.admin_token or www.admin_token_file, or log in as a user of www.users")
            }
            return constantTimeEqual(password, adminToken) ? .user(adminName) : .refused(refusal)
        }
        guard let user = users.first(where: { $0.name == name }) else { return .refused(refusal) }
        return await verify(password, user.passwordHash) ? .user(user.name) : .refused(refusal)
    }
}
