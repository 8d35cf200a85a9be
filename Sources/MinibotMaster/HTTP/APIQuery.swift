import Foundation
import MinibotCore

/// A query string's values, checked: every value comes from a client, so a value that does
/// not parse is a ``BadQuery`` (400 with a JSON body), never silently ignored or defaulted.
///
/// A pure value over the decoded parameters, so the rules are tested without a server.
struct APIQuery: Sendable {
    private let values: [String: String]

    init(_ values: [String: String]) { self.values = values }

    /// The raw value, or nil when absent.
    func string(_ key: String) -> String? { values[key] }

    /// `true`/`false` (or `1`/`0`, `yes`/`no`, as Buildbot accepts); absent is nil.
    func bool(_ key: String) throws(BadQuery) -> Bool? {
        guard let raw = values[key] else { return nil }
        switch raw.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw BadQuery("\(key) must be true or false, not \(Self.quoted(raw))")
        }
    }

    /// A whole number within `range`; absent is `fallback`.
    func integer(_ key: String, in range: ClosedRange<Int>, default fallback: Int) throws(BadQuery) -> Int {
        guard let raw = values[key] else { return fallback }
        guard let n = Int(raw), range.contains(n) else {
            throw BadQuery("\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(Self.quoted(raw))")
        }
        return n
    }

    /// A time as epoch seconds (fractions allowed), from 1970 to 2106; absent is nil.
    func epoch(_ key: String) throws(BadQuery) -> Date? {
        guard let raw = values[key] else { return nil }
        guard let seconds = Double(raw), seconds.isFinite, (0...4_294_967_295).contains(seconds) else {
            throw BadQuery("\(key) must be a time in epoch seconds, e.g. 1733500000, not \(Self.quoted(raw))")
        }
        return Date(timeIntervalSince1970: seconds)
    }

    /// A set of results, by name or code, comma-separated (`results=FAILURE,2`); absent is nil.
    func results(_ key: String) throws(BadQuery) -> Set<BuildResult>? {
        guard let raw = values[key] else { return nil }
        var set = Set<BuildResult>()
        for part in raw.split(separator: ",", omittingEmptySubsequences: false) {
            guard let r = BuildResult(name: String(part)) else {
                let names = BuildResult.allCases.map(\.name).joined(separator: ", ")
                throw BadQuery("\(key) must be result names or codes (\(names)), not \(Self.quoted(raw))")
            }
            set.insert(r)
        }
        return set
    }

    /// One of `allowed`; absent is `fallback`.
    func choice(_ key: String, _ allowed: [String], default fallback: String) throws(BadQuery) -> String {
        guard let raw = values[key] else { return fallback }
        guard allowed.contains(raw) else {
            throw BadQuery("\(key) must be one of \(allowed.joined(separator: ", ")), not \(Self.quoted(raw))")
        }
        return raw
    }

    /// A client's value as it appears in a message: quoted and cut short, so an error does not
    /// echo a megabyte back.
    static func quoted(_ raw: String) -> String {
        let cut = raw.count > 40 ? String(raw.prefix(40)) + "…" : raw
        return "\"\(cut)\""
    }
}

/// A query value that does not parse; the API answers 400 with its message.
struct BadQuery: Error, Sendable, Equatable, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
