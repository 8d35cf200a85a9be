/// The wire protocol a worker speaks: Minibot's own (`native`, JSON over `/workers/ws`) or
/// Buildbot's (`msgpack`, an unmodified `buildbot-worker` dialing `GET /`).
///
/// A `workers:` entry may name one as `protocol:`; the master then refuses the other
/// protocol's connections for that worker. Without it both are accepted.
public enum WorkerProtocol: String, Sendable, Equatable, CaseIterable {
    case native
    case msgpack
}
