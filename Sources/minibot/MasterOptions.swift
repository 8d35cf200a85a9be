import ArgumentParser
import Foundation
import MinibotClient
import MinibotCore

/// `--master URL` and `--token TOKEN`, shared by every command that talks to a master.
struct MasterOptions: ParsableArguments {
    @Option(name: .long, help: "The master's URL (default: $MINIBOT_MASTER or http://127.0.0.1:8010).")
    var master: String?

    @Option(name: .long, help: "The admin token (default: $MINIBOT_TOKEN, or --token-file).")
    var token: String?

    @Option(name: .long, help: "A file holding the admin token, e.g. MASTERDIR/admin.token.")
    var tokenFile: String?

    var url: String {
        master ?? ProcessInfo.processInfo.environment["MINIBOT_MASTER"] ?? "http://127.0.0.1:8010"
    }

    func resolvedToken() throws -> String? {
        if let token { return token }
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw Failure.usage("cannot read the token file \(tokenFile)")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return ProcessInfo.processInfo.environment["MINIBOT_TOKEN"]
    }

    /// A client; with `needsToken`, a missing token is a usage error before anything is sent.
    func client(needsToken: Bool = false) throws -> MinibotClient {
        let token = try resolvedToken()
        if needsToken && (token ?? "").isEmpty {
            throw Failure.usage("this command changes something and needs the admin token: pass --token TOKEN, --token-file MASTERDIR/admin.token, or set MINIBOT_TOKEN")
        }
        return MinibotClient(baseURL: url, token: token)
    }
}

extension ClientError {
    /// The CLI's failure for a client error: connection problems are exit 2.
    var failure: Failure {
        switch self {
        case .connection(let m): Failure.usage(m)
        case .http(let status, let message):
            (status == 401 || status == 403) ? Failure.usage(message) : Failure.failed(message)
        }
    }
}

/// Runs a client call and turns its errors into CLI failures.
@discardableResult
func call<T>(_ body: () async throws(ClientError) -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        throw error.failure
    }
}

/// Formats epoch seconds for tables.
func formatTime(_ seconds: Double?) -> String {
    guard let seconds else { return "-" }
    let f = DateFormatter()
    f.dateFormat = "yyyy-MM-dd HH:mm:ss"
    return f.string(from: Date(timeIntervalSince1970: seconds))
}

/// Prints rows as an aligned table.
func printTable(_ header: [String], _ rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { i in all.map { $0.indices.contains(i) ? $0[i].count : 0 }.max() ?? 0 }
    for row in all {
        let cells = row.enumerated().map { i, c in i == row.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
        print(cells.joined(separator: "  "))
    }
}
