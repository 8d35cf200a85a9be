import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 exchange over a plain TCP socket, for what an HTTP client library hides:
/// whether the server closed the connection after its answer, or a request no library
/// would send.
public enum RawHTTP {
    /// What came back: every byte read, and whether the server closed the connection (end
    /// of stream) rather than the read giving up after `timeout`.
    public struct Reply: Sendable {
        public let text: String
        public let closedByServer: Bool
    }

    /// Connects to 127.0.0.1:`port`, sends `request` as is, and reads until the server closes
    /// the connection or `timeout` seconds pass without it (then `closedByServer` is false).
    /// Nil when the connection cannot be made. Runs on a thread of its own, waiting in
    /// `poll(2)`.
    public static func exchange(port: Int, _ request: String, timeout: Double = 60) async -> Reply? {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: exchangeBlocking(port: port, request, timeout: timeout)) }
            thread.name = "raw-http"
            thread.start()
        }
    }

    /// The port of a master's `http://127.0.0.1:PORT` URL.
    public static func port(of url: String) -> Int? {
        url.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) }
    }

    private static func exchangeBlocking(port: Int, _ request: String, timeout: Double) -> Reply? {
        guard let port16 = UInt16(exactly: port) else { return nil }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port16.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return nil }
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            sent += n
        }
        let deadline = Date().addingTimeInterval(timeout)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return Reply(text: String(decoding: received, as: UTF8.self), closedByServer: false) }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, Int32(min(remaining * 1000, Double(Int32.max))))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received.append(contentsOf: buffer[0..<count])
            } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                return Reply(text: String(decoding: received, as: UTF8.self), closedByServer: true)
            }
        }
    }
}
