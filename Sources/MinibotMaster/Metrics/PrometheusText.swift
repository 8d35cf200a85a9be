/// Writes metrics in Prometheus' text exposition format (version 0.0.4): `# HELP`,
/// `# TYPE`, then one `name{label="value"} number` line per series, label values escaped.
/// Pure; ``MasterMetrics`` fills it at scrape time.
///
/// Minibot renders the format itself rather than bootstrapping swift-metrics: that
/// system's backend is process-global and set once, while tests run several masters in one
/// process, each of which must report only its own counts.
struct PrometheusText: Sendable {
    private(set) var text = ""

    /// Adds a metric family: its help, type (`counter`, `gauge`) and series.
    mutating func family(_ name: String, help: String, type: String, _ series: [(labels: [(String, String)], value: Double)]) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for s in series {
            text += name
            if !s.labels.isEmpty {
                text += "{" + s.labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
            }
            text += " \(Self.number(s.value))\n"
        }
    }

    /// Adds a histogram family: `NAME_bucket`, `NAME_sum` and `NAME_count` series.
    mutating func histogram(_ name: String, help: String, buckets: [(labels: [(String, String)], value: Double)],
                            sums: [(labels: [(String, String)], value: Double)],
                            counts: [(labels: [(String, String)], value: Double)]) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (suffix, series) in [("_bucket", buckets), ("_sum", sums), ("_count", counts)] {
            for s in series {
                text += name + suffix
                if !s.labels.isEmpty {
                    text += "{" + s.labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
                }
                text += " \(Self.number(s.value))\n"
            }
        }
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }
}
