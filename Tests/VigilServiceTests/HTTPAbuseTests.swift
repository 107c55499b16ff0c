import Foundation
import Testing
import VigilTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A worker's metrics server under the abuse an outside tester tried: it must not keep
/// connections a client never finishes, and must keep answering real requests.
@Suite("Worker HTTP server under abuse", .serialized)
struct HTTPAbuseTests {
    func connect(_ port: Int) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(descriptor); return nil }
        var on: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        return descriptor
    }

    /// True once the server has closed the connection (end of file or reset), reading
    /// whatever it answered first.
    func closedByServer(_ descriptor: Int32) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &chunk, chunk.count, Int32(MSG_DONTWAIT))
            if count == 0 { return true }
            if count < 0 { return errno != EAGAIN && errno != EWOULDBLOCK }
        }
    }

    func send(_ descriptor: Int32, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    @Test("slowloris clients and a 16 MB header are cut off; /metrics answers throughout")
    func slowlorisAndHugeHeader() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, name: "clip.ts", preset: .traffic, width: 320, height: 180, frames: 100)
        let metricsPort = try SilentServer.closedPort()
        let config = try writeConfig(directory, source: clip.path, metricsPort: metricsPort)
        let worker = try VigilProcess(["worker", "--config", config, "--camera", "cam", "--loop", "--realtime"], stderrPath: directory.file("worker.log"))
        defer { _ = worker.terminate() }
        #expect(waitUntil(20) { fetch(port: metricsPort, path: "/healthz")?.status == 200 })

        // 100 clients that send a request head one byte at a time, never finishing it.
        var slow = (0..<100).compactMap { _ in connect(metricsPort) }
        #expect(slow.count == 100)
        for descriptor in slow { _ = send(descriptor, "GET /metrics HTTP/1.1\r\nHost: x\r\n") }
        let started = ContinuousClock.now
        var closedAfter: [Duration] = []
        var alive = slow
        while !alive.isEmpty && ContinuousClock.now - started < .seconds(20) {
            usleep(500_000)
            alive = alive.filter { descriptor in
                _ = send(descriptor, "X")
                if closedByServer(descriptor) {
                    closedAfter.append(ContinuousClock.now - started)
                    close(descriptor)
                    return false
                }
                return true
            }
            // The server keeps answering real requests while they dribble.
            #expect(fetch(port: metricsPort, path: "/metrics")?.status == 200)
        }
        #expect(alive.isEmpty, "\(alive.count) slow connections still open after 20 s")
        #expect(closedAfter.allSatisfy { $0 < .seconds(13) }, "latest close after \(closedAfter.max() ?? .zero)")
        for descriptor in alive { close(descriptor) }
        slow = []

        // A 16 MB header: refused, and the connection does not stay open afterwards.
        let huge = try #require(connect(metricsPort))
        defer { close(huge) }
        // A server that stops reading must not hang the test: sends give up after 5 s.
        var sendTimeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(huge, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        _ = send(huge, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ")
        let megabyte = String(repeating: "a", count: 1 << 20)
        var sent = 0
        while sent < 16, send(huge, megabyte) { sent += 1 }
        let afterSending = ContinuousClock.now
        #expect(waitUntil(5) { closedByServer(huge) }, "the connection stayed open after a 16 MB header (\(sent) MB sent)")
        #expect(ContinuousClock.now - afterSending < .seconds(5))
        #expect(fetch(port: metricsPort, path: "/metrics")?.status == 200)
        #expect(worker.exitStatus == nil)
    }
}
