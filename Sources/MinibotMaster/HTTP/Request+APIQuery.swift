import Hummingbird

extension Request {
    /// The query string's parameters as an ``APIQuery`` (a repeated key keeps its last value).
    var apiQuery: APIQuery {
        var values: [String: String] = [:]
        for (k, v) in uri.queryParameters { values[String(k)] = String(v) }
        return APIQuery(values)
    }
}
