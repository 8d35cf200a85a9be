import Foundation
import MinibotClient
import MinibotCore
import MinibotTesting
import Testing

/// Issue 2: a step printing 50 MB completes, its log is complete, and the master's memory
/// stays bounded (logs go to the store in chunks).
@Suite("A step printing 50 MB", .serialized)
struct BigLogTests {
    static let bytes = 50 * 1024 * 1024

    @Test("the log is complete and the master's peak RSS stays ≤ 100 MiB")
    func fiftyMegabytes() async throws {
        try await Scene.run("biglog") { scene in
            let line = String(repeating: "0123456789", count: 10)
            let builders = """
              - name: b
                workers: [w1]
                steps:
                  - shell: {name: flood, command: "yes \(line) | head -c \(Self.bytes)"}
            """
            let master = try await scene.master(masterConfig(workers: ["w1"], builders: builders, builderNames: ["b"]))
            try await scene.workers(["w1"], master: master)
            let events = try await master.events()
            let request = try await master.force("b")
            let finished = try await events.buildFinished(request: request, timeout: 600)
            #expect(finished["results_name"]?.stringValue == "SUCCESS")
            let buildID = MasterFixture.buildID(finished)
            // The bound is on taking the log in (chunks to the store, never one big string):
            // measured before the log is served, which is a separate path (see below).
            let peak = Self.peakRSSMiB(master.process.pid)
            #expect(peak > 0 && peak <= 100, "master peak RSS \(peak) MiB while the step printed 50 MB")

            // Streamed to disk by curl: the test holds none of the 50 MB in memory.
            let file = scene.path("log.txt")
            let curl = try await Self.run("/usr/bin/curl", ["-sS", "-f", "-o", file,
                                                            "\(master.url)/api/v2/builds/\(buildID)/steps/0/logs/stdio/raw"])
            #expect(curl == 0)
            let size = try #require(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
            // The raw log holds the output plus a few header lines (the command, the exit).
            #expect(size >= Self.bytes && size < Self.bytes + 64 * 1024, "log has \(size) bytes")
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(size / 2))
            let middle = String(decoding: handle.readData(ofLength: 4096), as: UTF8.self)
            #expect(middle.contains(line), "the middle of the log is not the step's output")

        }
    }

    /// VmHWM of `pid`, in MiB.
    static func peakRSSMiB(_ pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return (line.split(separator: " ").compactMap { Double($0) }.first ?? -1) / 1024
        }
        return -1
    }

    static func run(_ executable: String, _ arguments: [String]) async throws -> Int32 {
        let null = try Spawn.open("/dev/null", forWriting: false)
        defer { close(null) }
        return try await Spawn.run(executable, arguments, environment: ProcessInfo.processInfo.environment,
                                   stdin: null, stdout: 2, stderr: 2, timeout: 600)
    }
}
