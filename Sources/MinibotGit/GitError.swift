import CLibgit2

/// A git operation that failed, with libgit2's own explanation.
///
/// The message is libgit2's error text for the failing call, read on the same thread right
/// after the call (libgit2 keeps it in thread-local storage), so it is the real cause rather
/// than whatever a later call left behind.
public struct GitError: Error, CustomStringConvertible, Sendable {
    /// What was being done, e.g. `fetch` or `checkout`.
    public let operation: String
    /// The repository (URL or path) the operation was about.
    public let repository: String
    /// Why it failed, in libgit2's words or ours.
    public let message: String
    /// libgit2's return code (`git_error_code`), or 0 when the error is not from libgit2.
    let code: Int32

    init(operation: String, repository: String, message: String, code: Int32 = 0) {
        self.operation = operation
        self.repository = repository
        self.message = message
        self.code = code
    }

    /// Throws the error for a libgit2 call that returned `code`, if that is a failure.
    ///
    /// Must be called synchronously after the failing call, on its thread: `git_error_last` is
    /// thread-local and the next libgit2 call may clear it. The descriptions are autoclosures
    /// so that successful calls, the common case, build no strings.
    static func check(
        _ code: Int32,
        operation: @autoclosure () -> String,
        repository: @autoclosure () -> String
    ) throws {
        guard code < 0 else { return }
        let message = lastLibgit2Message(code: code)
        throw GitError(operation: operation(), repository: repository(), message: message, code: code)
    }

    private static func lastLibgit2Message(code: Int32) -> String {
        guard let last = git_error_last(), let message = last.pointee.message else {
            return "libgit2 error \(code)"
        }
        return String(cString: message)
    }

    /// True when libgit2 reported that the thing looked for does not exist.
    var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }

    public var description: String { "git \(operation) failed for \(repository): \(message)" }
}
