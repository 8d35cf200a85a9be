/// How a worker's checkout treats what a previous build left in its directory.
///
/// Both modes discard changes to tracked files; they differ only on files git does not track,
/// as Buildbot's `incremental` and `full` (method `fresh`) modes do.
public enum CheckoutMode: String, Sendable, Codable {
    /// Keep untracked and ignored files (build outputs), so incremental builds stay fast.
    case incremental
    /// Remove untracked and ignored files too, so the tree is exactly the revision's.
    case full
}
