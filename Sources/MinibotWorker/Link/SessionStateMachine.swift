import MinibotCore
import MinibotProtocol

/// One connection of the worker to its master, from `hello` to its end, as a pure state
/// machine: it takes what happened on the link (a message, a heartbeat tick, the socket
/// closing) and returns what to do. The session loop in `Worker+Session.swift` only carries
/// the actions out.
///
/// The rules:
/// - Before `welcome` only `refused` and `ping` are allowed; anything else ends the link, and so
///   does no welcome within the handshake timeout.
/// - After `welcome` every heartbeat sends a ping; 3 heartbeats without a message from the master
///   end the link. Any message counts: the master's pong can lag far behind while it stores a
///   big log we streamed, but its own pings do not.
/// - Step output is compressed in the first codec the welcome offers that the worker knows
///   (zstd), else in zlib, which every master reads.
/// - A graceful `shutdown` drains: new steps are refused, running ones finish, then the link
///   ends as a shutdown (even if the master hangs up first: a reconnection would undo the stop).
///   An immediate one ends the link at once.
struct SessionStateMachine: Sendable, Equatable {
    enum Phase: Sendable, Equatable {
        case awaitingWelcome
        case serving
        case draining
        case ended(LinkOutcome)
    }

    enum Event: Sendable, Equatable {
        case received(MasterMessage)
        /// A frame that is not a master message.
        case undecodable(String)
        case closed(String)
        case heartbeatDue
        case handshakeTimedOut
        /// Every running step finished after a graceful shutdown request.
        case drained
    }

    enum Action: Sendable, Equatable {
        case sendPing
        case sendPong
        /// The master welcomed us: publish the link and start the heartbeat and status reports.
        case welcomed(heartbeat: Double)
        case runStep(MasterMessage.StartStep)
        /// Answer a step with EXCEPTION: the worker is shutting down.
        case refuseStep(MasterMessage.StartStep)
        /// An interrupt or a plugin message for the runtime.
        case deliver(MasterMessage)
        /// Wait until every running step finished, then feed ``Event/drained``.
        case drain
        case log(Level, String)
        /// The link is over: stop everything it runs.
        case end(LinkOutcome)
    }

    enum Level: Sendable, Equatable { case debug, info, error }

    /// Heartbeats without any message from the master before the link is declared dead.
    static let maxMissedHeartbeats = 3

    /// The longest heartbeat interval a master's `welcome` may set, in seconds; longer ones
    /// are cut to it.
    static let maxHeartbeat: Double = 3600

    private(set) var phase: Phase = .awaitingWelcome
    private(set) var missedHeartbeats = 0
    /// How step output is compressed on this link: the first codec the welcome offered that
    /// this worker knows, else zlib (what every master reads).
    private(set) var outputCodec: LogCodec = .zlib
    /// How the handshake timeout reads in the outcome ("no welcome within 10 s").
    let handshakeTimeoutText: String

    init(handshakeTimeoutText: String) {
        self.handshakeTimeoutText = handshakeTimeoutText
    }

    mutating func handle(_ event: Event) -> [Action] {
        switch phase {
        case .ended:
            return []
        case .awaitingWelcome:
            return beforeWelcome(event)
        case .serving, .draining:
            return afterWelcome(event)
        }
    }

    private mutating func beforeWelcome(_ event: Event) -> [Action] {
        switch event {
        case .received(.welcome(let heartbeat, let codecs)):
            phase = .serving
            outputCodec = codecs?.lazy.compactMap(LogCodec.init(rawValue:)).first ?? .zlib
            return [.welcomed(heartbeat: heartbeat)]
        case .received(.refused(let reason)):
            return end(.refused(reason))
        case .received(.ping):
            return [.sendPong]
        case .received(let message):
            return end(.lost(welcomed: false, "the master sent \(Self.kind(of: message)) before welcome"))
        case .undecodable(let why):
            return [.log(.error, "closing the link: \(why)")] + end(.lost(welcomed: false, why))
        case .closed(let why):
            return end(.lost(welcomed: false, why))
        case .handshakeTimedOut:
            return end(.lost(welcomed: false, "no welcome within \(handshakeTimeoutText)"))
        case .heartbeatDue, .drained:
            return []
        }
    }

    private mutating func afterWelcome(_ event: Event) -> [Action] {
        let isDraining = phase == .draining
        switch event {
        case .received(let message):
            missedHeartbeats = 0
            switch message {
            case .startStep(let start):
                return [isDraining ? .refuseStep(start) : .runStep(start)]
            case .interrupt, .hold, .plugin, .fetchSamples:
                return [.deliver(message)]
            case .shutdown(graceful: false):
                return [.log(.info, "master asked for an immediate shutdown: killing running steps")] + end(.shutdown)
            case .shutdown(graceful: true):
                guard !isDraining else { return [] }
                phase = .draining
                return [.log(.info, "master asked for a graceful shutdown: finishing running steps first"), .drain]
            case .ping:
                return [.sendPong]
            case .pong:
                return []
            case .welcome, .refused:
                return [.log(.debug, "ignoring \(Self.kind(of: message)) on an established link")]
            }
        case .undecodable(let why):
            return [.log(.error, "closing the link: \(why)")] + end(.lost(welcomed: true, why))
        case .closed(let why):
            // After a graceful shutdown request the master hangs up once the worker is idle,
            // possibly before `drained` is seen: that is the shutdown, not a lost link.
            return end(isDraining ? .shutdown : .lost(welcomed: true, why))
        case .heartbeatDue:
            if missedHeartbeats >= Self.maxMissedHeartbeats {
                return end(.lost(welcomed: true, "no answer to \(Self.maxMissedHeartbeats) pings"))
            }
            missedHeartbeats += 1
            return [.sendPing]
        case .handshakeTimedOut:
            return []
        case .drained:
            return end(.shutdown)
        }
    }

    private mutating func end(_ outcome: LinkOutcome) -> [Action] {
        phase = .ended(outcome)
        return [.end(outcome)]
    }

    static func kind(of message: MasterMessage) -> String {
        switch message {
        case .welcome: "welcome"
        case .refused: "refused"
        case .startStep: "startStep"
        case .interrupt: "interrupt"
        case .hold: "hold"
        case .plugin: "plugin"
        case .fetchSamples: "fetchSamples"
        case .shutdown: "shutdown"
        case .ping: "ping"
        case .pong: "pong"
        }
    }
}
