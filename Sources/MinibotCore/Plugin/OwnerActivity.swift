import Foundation

/// What a worker read of its owner at the keyboard, sent with its status report: how long
/// the desktop session at the machine's seat has been idle.
///
/// Measured on the worker (systemd-logind's `IdleHint`/`IdleSinceHint`, else the newest
/// `/dev/input/event*` time, or a fake file in tests) and sent as a duration, not a time, so
/// that a worker clock that is off does not matter. Decoding refuses values outside
/// ``idleBounds`` and a source longer than ``maxSourceLength``: a worker is outside input.
public struct OwnerActivity: Sendable, Equatable, Codable {
    /// Seconds since the owner was last active, at the moment of the report: 0 while the
    /// session is not idle; nil when nobody is at the keyboard (no session at the seat, or
    /// its screen is locked).
    public var idleSeconds: Double?
    /// Where it was read, for explanations: `logind session 3`, `/dev/input`, `idle file`.
    public var source: String

    public static let idleBounds: ClosedRange<Double> = 0...(400 * 86_400)
    public static let maxSourceLength = 200

    public init(idleSeconds: Double?, source: String) {
        self.idleSeconds = idleSeconds.map { min(max($0, Self.idleBounds.lowerBound), Self.idleBounds.upperBound) }
        self.source = String(source.prefix(Self.maxSourceLength))
    }

    private enum CodingKeys: String, CodingKey { case idleSeconds, source }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        idleSeconds = try c.decodeIfPresent(Double.self, forKey: .idleSeconds)
        source = try c.decode(String.self, forKey: .source)
        if let idle = idleSeconds, !(idle.isFinite && Self.idleBounds.contains(idle)) {
            throw DecodingError.dataCorruptedError(forKey: .idleSeconds, in: c,
                                                   debugDescription: "an idle time must be between 0 and 400 days")
        }
        guard source.count <= Self.maxSourceLength else {
            throw DecodingError.dataCorruptedError(forKey: .source, in: c,
                                                   debugDescription: "an activity source is at most \(Self.maxSourceLength) characters")
        }
    }
}
