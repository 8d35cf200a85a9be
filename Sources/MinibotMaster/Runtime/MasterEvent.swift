/// The kinds of event the master records in its ``EventLog`` and serves on
/// `GET /api/v2/events`. The raw value is the `type` field of the JSON, a contract that the
/// CLI, the benchmark, tests and users' scripts rely on: add kinds, never rename one.
enum MasterEvent: String, Sendable, CaseIterable {
    case buildStarted = "build_started"
    case buildFinished = "build_finished"
    case stepStarted = "step_started"
    case stepFinished = "step_finished"
    /// A batch of a step's output was stored (at most one event per step every 250 ms).
    case stepLog = "step_log"
    case stepWaitingForLock = "step_waiting_for_lock"
    /// A running build was held for its unavailable worker or resumed (fields: buildid,
    /// buildrequestid, builder, number, hold: suspend/renice/resume, state_string).
    case buildHeld = "build_held"
    /// A scheduler submitted a buildset's requests.
    case requestsSubmitted = "requests_submitted"
    /// A pending request's waiting reasons changed.
    case requestWaiting = "request_waiting"
    /// A request left the pending set without a build (collapsed, cancelled).
    case requestRemoved = "request_removed"
    /// A pending request was cancelled through the API (`results` 6); `request_removed` follows.
    case requestCancelled = "request_cancelled"
    case change = "change"
    case pollFailed = "poll_failed"
    case workerAttached = "worker_attached"
    case workerDetached = "worker_detached"
    case workerStatus = "worker_status"
    /// A worker's connection was refused (fields: worker, protocol, reason).
    case workerRefused = "worker_refused"
    case configReloaded = "config_reloaded"
    case configRejected = "config_rejected"
    case logsPruned = "logs_pruned"
    /// The janitor deleted old builds (fields: builds, keep_builds).
    case buildsPruned = "builds_pruned"
    /// The store's health changed (fields: healthy, problem).
    case databaseHealth = "database_health"
    /// Several masters: the schedulers and pollers this master runs changed (fields: jobs,
    /// gained, lost).
    case jobsChanged = "jobs_changed"
    /// Several masters: this master found itself declared dead (its lease passed while it did
    /// not run), stopped its builds and registered again (fields: generation, previous, stopped).
    case masterFenced = "master_fenced"

    /// Whether, with several masters on one database, the other masters show this event too
    /// (``EventRelay``): what a build, a step, its output and a request's fate are, so any
    /// master follows any build. A master's own view (its workers, its configuration, its
    /// jobs, the reasons its distributor gives, what it dropped because another claimed it)
    /// stays its own.
    var isShared: Bool {
        switch self {
        case .buildStarted, .buildFinished, .buildHeld, .stepStarted, .stepFinished, .stepLog, .stepWaitingForLock,
             .requestsSubmitted, .requestCancelled, .change:
            true
        case .requestWaiting, .requestRemoved, .pollFailed, .workerAttached, .workerDetached, .workerStatus,
             .workerRefused, .configReloaded, .configRejected, .logsPruned, .buildsPruned, .databaseHealth, .jobsChanged, .masterFenced:
            false
        }
    }
}
