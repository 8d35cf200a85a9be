/// The lifecycle of one build, as a pure state machine: it takes what happened ("step 2
/// finished FAILURE", "stop requested", "worker lost") and returns what to do next
/// (``Action``). The master's build runner only carries the actions out, so every rule of
/// how a build proceeds and ends lives here and is tested without a worker.
///
/// The rules, in Buildbot's terms:
/// - Steps run in order, one at a time; a step with locks first waits for them.
/// - A step's result folds into the build's by "worst wins": FAILURE counts as FAILURE when
///   the step flunks on failure, as WARNINGS when it only warns, and not at all otherwise;
///   `haltOnFailure` ends the build after a failed step. WARNINGS always count.
/// - EXCEPTION and RETRY from a step end the build at once with that result; a CANCELLED
///   step ends it CANCELLED.
/// - A stop ends the build CANCELLED, or RETRY (its request pending again) when the stop
///   asked for a rerun; the running step is interrupted first, a lock wait abandoned. A stop
///   of a build that has ended does nothing.
/// - A lost worker ends the build RETRY; so does a lost claim on its request (another
///   master owns it now).
///
/// Not thread-safe by itself: the runner keeps it under its own lock or actor.
public struct BuildProgress: Sendable, Equatable {
    /// What the lifecycle needs to know of a step.
    public struct Step: Sendable, Equatable {
        public var name: String
        public var haltOnFailure: Bool
        public var flunkOnFailure: Bool
        public var warnOnFailure: Bool
        /// The step takes locks before it runs.
        public var waitsForLocks: Bool

        public init(name: String, haltOnFailure: Bool = true, flunkOnFailure: Bool = true,
                    warnOnFailure: Bool = false, waitsForLocks: Bool = false) {
            self.name = name
            self.haltOnFailure = haltOnFailure
            self.flunkOnFailure = flunkOnFailure
            self.warnOnFailure = warnOnFailure
            self.waitsForLocks = waitsForLocks
        }

        public init(_ spec: StepSpec) {
            self.init(name: spec.name, haltOnFailure: spec.haltOnFailure, flunkOnFailure: spec.flunkOnFailure,
                      warnOnFailure: spec.warnOnFailure, waitsForLocks: !spec.locks.isEmpty)
        }
    }

    /// How a stop wants the build to end.
    public enum Stop: Sendable, Equatable {
        /// CANCELLED.
        case cancel
        /// RETRY: the request is pending again and runs once more.
        case retry
    }

    /// Something that happened to the build.
    public enum Event: Sendable, Equatable {
        /// The build was recorded and may begin.
        case started
        /// The locks of the waiting step were granted.
        case locksGranted
        /// The waiting step gave up its lock wait (after ``Action/abandonLockWait(_:)``).
        case lockWaitAbandoned
        /// The running step finished with this result.
        case stepFinished(BuildResult)
        /// Somebody asked the build to stop.
        case stopRequested(Stop, reason: String)
        /// The worker's link is gone.
        case workerLost(worker: String)
        /// A write for this build changed no row: another master owns its request now.
        case claimLost
    }

    /// What the runner must do.
    public enum Action: Sendable, Equatable {
        /// Wait for the locks of step N (the runner answers ``Event/locksGranted`` or
        /// ``Event/lockWaitAbandoned``).
        case acquireLocks(step: Int)
        /// Send step N to the worker (the runner answers ``Event/stepFinished(_:)`` or
        /// ``Event/workerLost(worker:)``).
        case runStep(Int)
        /// Interrupt the running step N (its ``Event/stepFinished(_:)`` follows).
        case interruptStep(Int, reason: String)
        /// Give up step N's lock wait (``Event/lockWaitAbandoned`` follows).
        case abandonLockWait(step: Int)
        /// The build is over: record it with this result and state string.
        case finish(BuildResult, stateString: String)
    }

    /// Where the build is.
    public enum Phase: Sendable, Equatable {
        case notStarted
        case waitingForLocks(step: Int)
        case running(step: Int)
        case finished(BuildResult, stateString: String)
    }

    public let steps: [Step]
    public private(set) var phase: Phase = .notStarted
    /// The stop asked for, if any: the first one is kept, later ones change nothing.
    public private(set) var stopRequest: StopRequest?
    private var result = BuildResult.success
    private var resultText = "build successful"

    /// A stop and its reason.
    public struct StopRequest: Sendable, Equatable {
        public var kind: Stop
        public var reason: String

        public init(kind: Stop, reason: String) {
            self.kind = kind
            self.reason = reason
        }
    }

    public init(steps: [Step]) {
        self.steps = steps
    }

    public var isFinished: Bool {
        if case .finished = phase { return true }
        return false
    }

    /// What a person reads while the build runs ("running step 2/5: compile"), and its
    /// final state string once it ended. A held build says so first ("suspended: load 4.2 >
    /// 3.0 (since 14:02 CET); step 2/5: compile").
    public var stateString: String {
        switch phase {
        case .notStarted: hold ?? "starting"
        case .waitingForLocks(let i): "step \(i + 1)/\(steps.count): \(steps[i].name) waiting for locks"
        case .running(let i):
            if let hold { "\(hold); step \(i + 1)/\(steps.count): \(steps[i].name)" }
            else { "running step \(i + 1)/\(steps.count): \(steps[i].name)" }
        case .finished(_, let text): text
        }
    }

    /// What holds the build back while its worker is unavailable ("suspended: load 4.2 > 3.0
    /// (since 14:02 CET)", "reniced: …"); nil when it runs as usual. Shown, never decided
    /// here: the availability plugin decides, the runner records it with ``held(_:)``.
    public private(set) var hold: String?

    /// Records the build's hold (nil: resumed); a build that ended keeps none.
    public mutating func held(_ text: String?) {
        hold = isFinished ? nil : text
    }

    /// Takes one event and returns what to do, in order. An event that does not fit the
    /// phase (a late step result after the build ended) returns no action.
    public mutating func handle(_ event: Event) -> [Action] {
        if isFinished { return [] }
        switch event {
        case .started:
            guard phase == .notStarted else { return [] }
            if let stopped = stoppedEnd() { return finish(stopped) }
            return begin(0)
        case .locksGranted:
            guard case .waitingForLocks(let i) = phase else { return [] }
            if let stopped = stoppedEnd() { return finish(stopped) }
            phase = .running(step: i)
            return [.runStep(i)]
        case .lockWaitAbandoned:
            guard case .waitingForLocks(let i) = phase else { return [] }
            return finish(stoppedEnd(while: "while \(steps[i].name) waited for a lock")
                ?? (.cancelled, "cancelled while \(steps[i].name) waited for a lock: stopped"))
        case .stepFinished(let stepResult):
            guard case .running(let i) = phase else { return [] }
            return stepFinished(i, stepResult)
        case .stopRequested(let kind, let reason):
            if stopRequest == nil { stopRequest = StopRequest(kind: kind, reason: reason) }
            switch phase {
            case .running(let i): return [.interruptStep(i, reason: reason)]
            case .waitingForLocks(let i): return [.abandonLockWait(step: i)]
            case .notStarted, .finished: return []
            }
        case .workerLost(let worker):
            return finish((.retry, "worker \(worker) lost"))
        case .claimLost:
            var actions: [Action] = []
            if case .running(let i) = phase { actions.append(.interruptStep(i, reason: "claim lost")) }
            return actions + finish((.retry, "claim lost: another master owns this request now"))
        }
    }

    private mutating func begin(_ index: Int) -> [Action] {
        guard index < steps.count else { return finish((result, resultText)) }
        if steps[index].waitsForLocks {
            phase = .waitingForLocks(step: index)
            return [.acquireLocks(step: index)]
        }
        phase = .running(step: index)
        return [.runStep(index)]
    }

    private mutating func stepFinished(_ index: Int, _ stepResult: BuildResult) -> [Action] {
        let step = steps[index]
        switch stepResult {
        case .success, .skipped:
            break
        case .cancelled:
            return finish(stoppedEnd() ?? (.cancelled, "cancelled: interrupted"))
        case .retry:
            return finish((.retry, "retry requested by \(step.name)"))
        case .exception:
            return finish((.exception, "exception in \(step.name)"))
        case .warnings:
            fold(.warnings, "warnings in \(step.name)")
        case .failure:
            if step.flunkOnFailure {
                fold(.failure, "failed \(step.name)")
            } else if step.warnOnFailure {
                fold(.warnings, "warnings in \(step.name)")
            }
            if step.haltOnFailure { return finish((result, resultText)) }
        }
        if let stopped = stoppedEnd() { return finish(stopped) }
        return begin(index + 1)
    }

    private mutating func fold(_ stepResult: BuildResult, _ text: String) {
        result = .worst(result, stepResult)
        resultText = text
    }

    private mutating func finish(_ end: (BuildResult, String)) -> [Action] {
        phase = .finished(end.0, stateString: end.1)
        return [.finish(end.0, stateString: end.1)]
    }

    /// How a stopped build ends, or nil when nobody stopped it.
    private func stoppedEnd(while context: String? = nil) -> (BuildResult, String)? {
        guard let stopRequest else { return nil }
        let when = context.map { " \($0)" } ?? ""
        switch stopRequest.kind {
        case .retry: return (.retry, "stopped to run again\(when): \(stopRequest.reason)")
        case .cancel: return (.cancelled, "cancelled\(when): \(stopRequest.reason)")
        }
    }

    /// A finished step's state string ("compile failed (exit code 2)").
    public static func stepStateString(name: String, result: BuildResult, exitCode: Int32?, signal: Int32?) -> String {
        switch result {
        case .success: return "\(name) done"
        case .cancelled: return "\(name) cancelled"
        case .failure:
            if let exitCode { return "\(name) failed (exit code \(exitCode))" }
            if let signal { return "\(name) failed (signal \(signal))" }
            return "\(name) failed"
        default: return "\(name) \(result.name.lowercased())"
        }
    }
}
