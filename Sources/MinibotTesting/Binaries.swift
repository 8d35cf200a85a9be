import Foundation

/// Where the built `minibot`, `minibot-worker` and `minibot-agent` executables are:
/// `$MINIBOT_BIN_DIR` (set by scripts/test), else the directory of the running test bundle.
public enum Binaries {
    public static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["MINIBOT_BIN_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        // .build/debug/minibotPackageTests.xctest (or the test runner) lives next to the executables.
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent()
        for candidate in [exe, exe.deletingLastPathComponent(), Bundle.main.bundleURL.deletingLastPathComponent()]
        where FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("minibot").path) {
            return candidate
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug")
    }

    public static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }
}
