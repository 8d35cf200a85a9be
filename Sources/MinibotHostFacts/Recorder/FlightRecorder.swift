import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The last 7 days of a host's load, one ``LoadSample`` every 10 s, in a fixed-size ring file
/// that survives restarts.
///
/// The file is a ``FlightRecorderHeader`` and `slotCount` ``FlightRecord``s (60,480 × 32 bytes
/// = 1.85 MiB by default). A sample taken at `t` goes to slot `(t / interval) mod slotCount`,
/// written with one `pwrite` of its 32 bytes: the ring is by time, so a restarted recorder
/// resumes in place, a sample from a clock that jumped back still lands in its own slot, and
/// a slot left over from more than a ring ago is simply older than the window and never read.
///
/// Writing (the worker's and the agent's sampling loops): ``open(path:interval:)`` once, then
/// ``record(_:)`` every interval from the one task that owns the instance. Reading
/// (``samples(inFile:since:until:)``) opens the file afresh, so another process (the
/// `minibot-agent samples` command, a worker answering its master) reads while one writes; a
/// record torn by a concurrent write fails its check and is skipped.
public final class FlightRecorder {
    /// Seconds between samples by default.
    public static let defaultInterval: UInt32 = 10
    /// Slots in a file: 7 days of 10 s samples.
    public static let slotCount: UInt32 = 60_480
    /// The file name used beside a worker's base directory or an agent's ledger.
    public static let defaultFileName = "samples.mbfr"

    /// The file written.
    public let path: String
    public let header: FlightRecorderHeader
    private let descriptor: Int32

    private init(path: String, header: FlightRecorderHeader, descriptor: Int32) {
        self.path = path
        self.header = header
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Opens `path` for recording, creating it (and its directory) when missing. A file that is
    /// not a recorder file of this interval and slot count (foreign, damaged, truncated, another
    /// version) is renamed to `path.bad`, replacing an older one, and a new file is started.
    public static func open(path: String, interval: UInt32 = defaultInterval) throws -> FlightRecorder {
        let header = FlightRecorderHeader(interval: max(interval, 1), slotCount: slotCount)
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let fd = openFile(path, O_RDWR | O_CREAT | O_CLOEXEC)
        guard fd >= 0 else { throw FlightRecorderError("cannot open \(path): \(Self.lastError())") }
        if Self.hasHeader(header, descriptor: fd) {
            return FlightRecorder(path: path, header: header, descriptor: fd)
        }
        var info = stat()
        let isEmpty = fstat(fd, &info) == 0 && info.st_size == 0
        close(fd)
        if !isEmpty {
            _ = unlink(path + ".bad")
            guard rename(path, path + ".bad") == 0 else {
                throw FlightRecorderError("cannot move the unusable \(path) aside: \(Self.lastError())")
            }
        }
        return try create(path: path, header: header)
    }

    /// Stores one sample in its slot. False (nothing written) for a sample that cannot be
    /// stored (see ``FlightRecord/init(_:)``); throws when the write fails.
    @discardableResult
    public func record(_ sample: LoadSample) throws -> Bool {
        guard let record = FlightRecord(sample) else { return false }
        let slot = Int(record.time / header.interval % header.slotCount)
        let offset = off_t(FlightRecorderHeader.size + slot * FlightRecord.size)
        let bytes = record.bytes
        let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, offset) }
        guard written == bytes.count else { throw FlightRecorderError("cannot write to \(path): \(Self.lastError())") }
        return true
    }

    // MARK: reading

    /// The samples recorded in the file at `path`, oldest first, within `[since, until]` and
    /// within one ring (7 days) of the newest. Throws ``FlightRecorderError`` for a missing
    /// file or one with a bad header; bad records are skipped.
    public static func samples(inFile path: String, since: Date? = nil, until: Date? = nil) throws -> [LoadSample] {
        try samples(inFile: path, since: since, until: until, now: Date())
    }

    /// ``samples(inFile:since:until:)`` with the reader's clock: records more than an hour
    /// ahead of `now` (a clock that was wrong, or a hostile file) are dropped, so that one
    /// cannot hide the whole week behind it.
    public static func samples(inFile path: String, since: Date?, until: Date?, now: Date) throws -> [LoadSample] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FlightRecorderError("cannot read \(path): no such file, or not readable")
        }
        defer { try? handle.close() }
        let head = try handle.read(upToCount: FlightRecorderHeader.size) ?? Data()
        let header: FlightRecorderHeader
        do {
            header = try FlightRecorderHeader(bytes: head)
        } catch let error as FlightRecorderError {
            throw FlightRecorderError("\(path): \(error.description)")
        }
        // Never more than the header promises (which is itself bounded).
        let body = try handle.read(upToCount: header.fileSize - FlightRecorderHeader.size) ?? Data()
        return samples(header: header, body: body, since: since, until: until, now: now)
    }

    /// The pure part of reading: decodes every slot of `body`, keeps the valid ones.
    static func samples(header: FlightRecorderHeader, body: Data, since: Date?, until: Date?, now: Date) -> [LoadSample] {
        let bytes = [UInt8](body)
        let slots = min(Int(header.slotCount), bytes.count / FlightRecord.size)
        let horizon = now.timeIntervalSince1970 + 3600
        var records: [FlightRecord] = []
        for slot in 0..<slots {
            let start = slot * FlightRecord.size
            guard let record = FlightRecord(bytes: bytes[start..<start + FlightRecord.size]),
                  Int(record.time / header.interval % header.slotCount) == slot,  // not where it belongs: foreign
                  Double(record.time) <= horizon else { continue }
            records.append(record)
        }
        guard let newest = records.map(\.time).max() else { return [] }
        let window = UInt64(header.interval) * UInt64(header.slotCount)
        let since = since?.timeIntervalSince1970 ?? -.infinity
        let until = until?.timeIntervalSince1970 ?? .infinity
        return records
            .filter { UInt64($0.time) + window > UInt64(newest) && Double($0.time) >= since && Double($0.time) <= until }
            .sorted { $0.time < $1.time }
            .map(\.sample)
    }

    // MARK: internals

    private static func create(path: String, header: FlightRecorderHeader) throws -> FlightRecorder {
        let fd = openFile(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else { throw FlightRecorderError("cannot create \(path): \(Self.lastError())") }
        let bytes = header.bytes
        // The size first, the header last: a file cut short by a crash has no valid header.
        guard ftruncate(fd, off_t(header.fileSize)) == 0,
              bytes.withUnsafeBytes({ pwrite(fd, $0.baseAddress, $0.count, 0) }) == bytes.count else {
            let why = Self.lastError()
            close(fd)
            throw FlightRecorderError("cannot create \(path): \(why)")
        }
        return FlightRecorder(path: path, header: header, descriptor: fd)
    }

    private static func hasHeader(_ expected: FlightRecorderHeader, descriptor fd: Int32) -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size == off_t(expected.fileSize) else { return false }
        var bytes = [UInt8](repeating: 0, count: FlightRecorderHeader.size)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count == bytes.count, let header = try? FlightRecorderHeader(bytes: bytes) else { return false }
        return header == expected
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}

/// `open(2)` under another name: inside ``FlightRecorder`` the name means its own factory.
private func openFile(_ path: String, _ flags: Int32) -> Int32 {
    open(path, flags, 0o644)
}
