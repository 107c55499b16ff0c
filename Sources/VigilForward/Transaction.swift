import Logging
import PostgresNIO

extension PostgresConnection {
    /// BEGIN, the body, COMMIT. On any failure the connection is closed instead of rolled back:
    /// the server aborts the open transaction when its connection goes, and a ROLLBACK sent on
    /// a connection the server had just dropped never returned (postgres-nio 1.33), which is
    /// exactly when a body fails during a database restart.
    func vigilTransaction<T: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            if isClosed { throw ForwardError("the database closed the connection") }
            try await query("BEGIN", logger: logger)
            let value = try await body(self)
            try await query("COMMIT", logger: logger)
            return value
        } catch {
            Forwarder.close(self)
            throw error
        }
    }
}
