/// A failure of the store, with what was being done.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// Whether a write for a build was refused because the build no longer holds its claim
    /// (it ended, or its request was released and maybe claimed again): the master must stop
    /// the build; nothing it writes for it lands any more.
    public var isClaimLost: Bool

    public init(_ message: String) {
        self.message = message
        isClaimLost = false
    }

    /// A write for build `buildID` was refused: see ``isClaimLost``.
    public static func claimLost(buildID: Int64, _ what: String) -> StoreError {
        var error = StoreError("cannot \(what) of build \(buildID): the build has ended or its claim was lost "
            + "(another master, or a restart of this one, released it)")
        error.isClaimLost = true
        return error
    }

    public var description: String { message }
}
