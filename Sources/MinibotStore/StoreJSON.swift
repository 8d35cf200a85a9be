import Foundation

/// How every store keeps maps and lists (properties, files, changes' ids): JSON text with
/// sorted keys, so the same value is always the same text. One copy for SQLite and
/// PostgreSQL; a value that does not decode means a damaged database.
public enum StoreJSON {
    public static func encode<T: Encodable>(_ value: T, _ what: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw StoreError("cannot encode \(what) as JSON: \(error)")
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, _ text: String, _ what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError("the stored \(what) is not valid JSON (\(error)); the database is damaged")
        }
    }

    /// A properties column's text (`{}` is by far the most common, and skips the decoder).
    public static func properties(_ text: String) throws -> [String: String] {
        text == "{}" ? [:] : try decode([String: String].self, text, "properties")
    }
}
