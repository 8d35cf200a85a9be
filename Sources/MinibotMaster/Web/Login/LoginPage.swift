/// The login page's view model.
struct LoginPage: Sendable, Equatable {
    /// Where to go once logged in (a local path).
    var next: String
    /// Why the last try was refused.
    var problem: String?
    /// Whether `www.users` names anyone (else only `admin` with the admin token can log in).
    var hasUsers: Bool
}
