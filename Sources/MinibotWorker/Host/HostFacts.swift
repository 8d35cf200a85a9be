import Foundation
import MinibotCore
import MinibotProtocol

/// What the worker tells its master about the machine in `hello`.
enum HostFacts {
    /// The worker's version, reported in `WorkerInfo.version`.
    static let version = "minibot-worker 0.1.0"

    static func info(agentSocket: String?, samplesInterval: UInt32? = nil) -> WorkerInfo {
        var facts: [String: String] = [:]
        facts[WorkerFacts.agentSocket] = agentSocket
        facts[WorkerFacts.samples] = samplesInterval.map(String.init)
        return WorkerInfo(hostname: hostname(), os: operatingSystem(),
                          cpus: ProcessInfo.processInfo.activeProcessorCount, version: version, facts: facts)
    }

    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `Linux 6.1.0-18-amd64 (Debian GNU/Linux 12 (bookworm))`: the kernel from uname, the
    /// distribution from os-release where there is one.
    static func operatingSystem() -> String {
        var name = utsname()
        var kernel = "unknown"
        if uname(&name) == 0 {
            let sys = withUnsafeBytes(of: name.sysname) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            kernel = "\(sys) \(release)"
        }
        guard let release = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8),
              let line = release.split(separator: "\n").first(where: { $0.hasPrefix("PRETTY_NAME=") }) else {
            return kernel
        }
        let pretty = line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        return "\(kernel) (\(pretty))"
    }
}
