/// The outcome of a step or a build, with Buildbot's numeric codes and names.
///
/// Results fold by "worst wins" (``BuildResult/worst(_:_:)``), in Buildbot's order:
/// SUCCESS < WARNINGS < FAILURE < SKIPPED < EXCEPTION < RETRY < CANCELLED
/// — except that SKIPPED never makes a build worse than it already is.
public enum BuildResult: Int, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case success = 0
    case warnings = 1
    case failure = 2
    case skipped = 3
    case exception = 4
    case retry = 5
    case cancelled = 6

    /// Buildbot's upper-case name, e.g. `SUCCESS`.
    public var name: String {
        switch self {
        case .success: "SUCCESS"
        case .warnings: "WARNINGS"
        case .failure: "FAILURE"
        case .skipped: "SKIPPED"
        case .exception: "EXCEPTION"
        case .retry: "RETRY"
        case .cancelled: "CANCELLED"
        }
    }

    public var description: String { name }

    /// Whether a build with this result counts as passed (`minibot force --wait` exits 0).
    public var isPassing: Bool { self == .success || self == .warnings }

    /// The worse of two results; a skipped step does not change the other result.
    public static func worst(_ a: BuildResult, _ b: BuildResult) -> BuildResult {
        if a == .skipped { return b }
        if b == .skipped { return a }
        return a.rawValue >= b.rawValue ? a : b
    }

    /// Folds step results into a build result; no steps (or only skipped ones) is SUCCESS
    /// unless everything was skipped, which is SKIPPED.
    public static func fold(_ results: [BuildResult]) -> BuildResult {
        guard !results.isEmpty else { return .success }
        if results.allSatisfy({ $0 == .skipped }) { return .skipped }
        return results.reduce(.success, worst)
    }

    /// Parses a name (`success`, `SUCCESS`) or a numeric code.
    public init?(name: String) {
        if let code = Int(name), let r = BuildResult(rawValue: code) { self = r; return }
        guard let r = BuildResult.allCases.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
            return nil
        }
        self = r
    }
}
