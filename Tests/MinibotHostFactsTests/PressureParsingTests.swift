import Foundation
import MinibotHostFacts
import Testing

/// The `/proc/pressure/*` and `/proc/meminfo` parsers, and the load file's extra lines: total
/// over any text (nil for anything malformed, never a trap).
@Suite struct PressureParsingTests {
    let psi = """
        some avg10=23.40 avg60=5.00 avg300=1.00 total=123456
        full avg10=10.00 avg60=2.00 avg300=0.50 total=99999
        """

    @Test func readsSomeAvg10() {
        #expect(LoadReader.parsePressureSomeAvg10(psi) == 23.4)
        #expect(LoadReader.parsePressureSomeAvg10("memory " + psi, prefix: "memory") == 23.4)
        #expect(LoadReader.parsePressureSomeAvg10(psi, prefix: "memory") == nil)
    }

    @Test func readsMemAvailableInBytes() {
        let meminfo = """
            MemTotal:       32768000 kB
            MemFree:         1000000 kB
            MemAvailable:    2097152 kB
            Buffers:          100000 kB
            """
        #expect(LoadReader.parseMemAvailable(meminfo) == 2_147_483_648.0)
    }

    @Test(arguments: [
        "", "\n\n", "some", "some avg10=", "some avg10=abc", "some avg10=nan", "some avg10=inf",
        "some avg10=-1", "some avg10=1e400", "full avg10=5.0", "avg10=5 some",
        "some avg10=" + String(repeating: "9", count: 5000), "\u{0}\u{FFFF}some avg10=5",
    ])
    func refusesMalformedPressure(_ text: String) {
        #expect(LoadReader.parsePressureSomeAvg10(text) == nil)
    }

    @Test(arguments: [
        "", "MemAvailable:", "MemAvailable: 12", "MemAvailable: 12 MB", "MemAvailable: -12 kB",
        "MemAvailable: 1.5 kB", "MemAvailable: 99999999999999999999999 kB", "MemAvailable: 1e9 kB",
        "MemAvailable: 2000000000000 kB",                // 2 EB: beyond 1 PiB
        "MemAvailable: +5 kB", "MemFree: 5 kB", "memavailable: 5 kB", "MemAvailable: ５ kB",
    ])
    func refusesMalformedMeminfo(_ text: String) {
        #expect(LoadReader.parseMemAvailable(text) == nil)
    }

    /// An old load file (loadavg and a cpu line) reads as before; the new lines add the rest.
    @Test func loadFileCarriesEverySignal() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pressure-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("load").path
        let time = Date(timeIntervalSince1970: 1_800_000_000)

        try "1.5 1.0 0.5 1/100 123\nsome avg10=7.00 avg60=0 avg300=0 total=0\n".write(toFile: path, atomically: true, encoding: .utf8)
        let old = try LoadReader(source: .file(path)).read(at: time)
        #expect(old.load1 == 1.5 && old.cpuPressureSome10 == 7)
        #expect(old.memoryPressureSome10 == nil && old.ioPressureSome10 == nil && old.memAvailableBytes == nil)

        try """
            1.5 1.0 0.5 1/100 123
            memory some avg10=23.40 avg60=0 avg300=0 total=0
            io some avg10=3.25 avg60=0 avg300=0 total=0
            MemAvailable: 524288 kB
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let new = try LoadReader(source: .file(path)).read(at: time)
        #expect(new.cpuPressureSome10 == nil)
        #expect(new.memoryPressureSome10 == 23.4)
        #expect(new.ioPressureSome10 == 3.25)
        #expect(new.memAvailableBytes == 536_870_912.0)
    }
}
