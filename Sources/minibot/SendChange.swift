import ArgumentParser
import Foundation
import MinibotClient

/// `minibot sendchange`: tells the master about a commit (what the post-receive hook does).
struct SendChange: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sendchange",
        abstract: "Send a change to the master's change hook (POST /change_hook/base).")

    @OptionGroup var master: MasterOptions

    @Option(name: .long, help: "The commit id.") var revision: String
    @Option(name: .long, help: "The branch.") var branch: String
    @Option(name: .long, help: "The repository URL or path.") var repository: String = ""
    @Option(name: [.long, .customLong("who")], help: "Author, e.g. 'Ada <ada@example.org>'.") var author: String?
    @Option(name: .long, help: "The commit message.") var comments: String = ""
    @Option(name: .long, help: "A project name.") var project: String?
    @Option(name: .long, help: "A category.") var category: String?
    @Option(name: .long, help: "Epoch seconds of the change.") var when: Double?
    @Option(name: .long, help: "The change hook's shared secret ($MINIBOT_CHANGE_HOOK_SECRET); prefer --secret-file.") var secret: String?
    @Option(name: .long, help: "A file holding the change hook's secret, e.g. MASTERDIR/change_hook.secret.")
    var secretFile: String?
    @Argument(help: "Changed files.") var files: [String] = []

    func run() async throws {
        var fields: [(String, String)] = [("revision", revision), ("branch", branch), ("repository", repository),
                                          ("comments", comments)]
        if let author { fields.append(("author", author)) }
        if let project { fields.append(("project", project)) }
        if let category { fields.append(("category", category)) }
        if let when { fields.append(("when_timestamp", String(when))) }
        for f in files { fields.append(("files", f)) }
        var headers: [(String, String)] = []
        var fromFile: String?
        if let secretFile {
            guard let text = try? String(contentsOfFile: secretFile, encoding: .utf8) else {
                throw Failure.usage("cannot read the secret file \(secretFile)")
            }
            fromFile = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let s = fromFile ?? secret ?? ProcessInfo.processInfo.environment["MINIBOT_CHANGE_HOOK_SECRET"] {
            headers.append(("X-Minibot-Secret", s))
        }
        let client = try master.client()
        let answer = try await call { () async throws(ClientError) in
            try await client.postForm("change_hook/base", fields, headers: headers)
        }
        let id = answer["changes"].flatMap { if case .array(let a) = $0 { return a.first?["changeid"]?.intValue } else { return nil } }
        print("change \(id.map(String.init) ?? "?") recorded")
    }
}
