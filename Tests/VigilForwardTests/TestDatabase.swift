import Foundation
import Logging
import PostgresNIO
import VigilConfig
import VigilForward

/// A PostgreSQL 15 of the test's own (Tests/servers/postgres.sh): initdb in a temporary
/// folder, 127.0.0.1 on a free port, role and database `vigil` with a password.
final class TestDatabase: Sendable {
    let folder: String
    let port: Int
    let password: String
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("servers/postgres.sh").path

    init() throws {
        folder = NSTemporaryDirectory() + "vigil-pg-\(UUID().uuidString.prefix(8))"
        port = Self.freePort()
        try Self.shell(["start", folder, "\(port)"])
        password = try String(contentsOfFile: folder + "/password", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func stop() throws { try Self.shell(["stop", folder, "fast"]) }
    func start() throws { try Self.shell(["start", folder, "\(port)"]) }

    func remove() {
        try? stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Forward settings for this server, the password in a file of `directory`.
    func settings(passwordFileIn directory: String) throws -> ForwardSettings {
        try (password + "\n").write(toFile: directory + "/pgpass", atomically: true, encoding: .utf8)
        var settings = ForwardSettings()
        settings.url = "postgresql://vigil@127.0.0.1:\(port)/vigil"
        settings.passwordFile = directory + "/pgpass"
        settings.tls = .disable
        return settings
    }

    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        var configuration = PostgresConnection.Configuration(host: "127.0.0.1", port: port, username: "vigil", password: password, database: "vigil", tls: .disable)
        configuration.options.connectTimeout = .seconds(5)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 99, logger: Logger(label: "test"))
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    func count(_ sql: String) async throws -> Int {
        try await withConnection { connection in
            var total = 0
            for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "test")).decode(Int.self) { total = value }
            return total
        }
    }

    private static func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// posix_spawn and waitpid: Foundation's Process waited forever here for a script whose
    /// child (the server) lives on.
    private static func shell(_ arguments: [String]) throws {
        let argv = (["/bin/bash", script] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/bash", nil, nil, argv, environ) == 0 else { throw ForwardError("cannot start postgres.sh") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if status != 0 {
            throw ForwardError("postgres.sh \(arguments.joined(separator: " ")) failed (wait status \(status))")
        }
    }
}
