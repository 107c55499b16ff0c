import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP port on 127.0.0.1 that accepts connections (the kernel completes the
/// handshake) but never sends a byte: the worst kind of dead camera.
public final class SilentServer {
    public let port: Int
    private let descriptor: Int32

    public init() throws {
        descriptor = try Self.listeningSocket()
        port = Self.localPort(descriptor)
    }

    /// A TCP socket listening on 127.0.0.1 at a port the kernel picks.
    static func listeningSocket() throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else { close(descriptor); throw SocketError.cannotListen }
        return descriptor
    }

    deinit { close(descriptor) }

    /// A port on 127.0.0.1 with nothing listening, so connecting is refused at once.
    public static func closedPort() throws -> Int {
        let server = try SilentServer()
        return server.port
    }

    static func localPort(_ descriptor: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public enum SocketError: Error { case cannotListen }
}

/// A TCP port on 127.0.0.1 that answers every connection with an HTTP 200 header and
/// then random bytes: a camera (or a proxy) sending garbage.
public final class GarbageServer: @unchecked Sendable {
    public let port: Int
    private let descriptor: Int32

    public init(bytesPerConnection: Int = 4 << 20) throws {
        let descriptor = try SilentServer.listeningSocket()
        self.descriptor = descriptor
        port = SilentServer.localPort(descriptor)
        let listening = descriptor
        let thread = Thread {
            var generator = SystemRandomNumberGenerator()
            while true {
                let client = accept(listening, nil, nil)
                if client < 0 { if errno == EINTR { continue } else { return } }
                var payload = Array("HTTP/1.0 200 OK\r\nContent-Type: video/mp2t\r\n\r\n".utf8)
                var sent = 0
                while sent < bytesPerConnection {
                    payload += (0..<65536).map { _ in UInt8.random(in: 0...255, using: &generator) }
                    let result = payload.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if result <= 0 { break }
                    sent += result
                    payload.removeAll(keepingCapacity: true)
                }
                close(client)
            }
        }
        thread.start()
    }

    deinit {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
    }
}
