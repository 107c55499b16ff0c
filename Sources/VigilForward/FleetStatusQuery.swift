import Logging
import PostgresNIO

/// Every host's cameras and forwarders as the store last heard of them: `vigil status --all-hosts`.
public enum FleetStatusQuery {
    public struct Camera: Sendable {
        public var site: String
        public var camera: String
        public var state: String
        /// Seconds since its host last sent it: a host that stopped sending is not to be believed.
        public var age: Double
        public var framesAnalysed: Int?
        public var eventsAppended: Int?
        public var lastError: String?
    }

    public struct Position: Sendable {
        public var site: String
        public var queue: String
        public var nextOffset: Int64
        public var age: Double
    }

    public static func fetch(endpoint: PostgresEndpoint, logger: Logger) async throws -> (cameras: [Camera], positions: [Position]) {
        let connection = try await PostgresConnection.connect(configuration: try endpoint.configuration(), id: 1, logger: logger)
        do {
            let result = try await read(connection, logger: logger)
            Forwarder.close(connection)
            return result
        } catch {
            Forwarder.close(connection)
            throw error
        }
    }

    private static func read(_ connection: PostgresConnection, logger: Logger) async throws -> (cameras: [Camera], positions: [Position]) {
        var cameras: [Camera] = []
        let rows = try await connection.query("""
            SELECT site, camera, state, extract(epoch FROM now() - updated_at)::float8,
                   (status->>'frames_analysed')::bigint, (status->>'events_appended')::bigint, status->>'last_error'
            FROM vigil_cameras ORDER BY site, camera
            """, logger: logger)
        for try await (site, camera, state, age, frames, events, error) in rows.decode((String, String, String, Double, Int?, Int?, String?).self) {
            cameras.append(Camera(site: site, camera: camera, state: state, age: age, framesAnalysed: frames, eventsAppended: events, lastError: error))
        }
        var positions: [Position] = []
        let positionRows = try await connection.query("""
            SELECT site, queue_id::text, next_offset, extract(epoch FROM now() - updated_at)::float8
            FROM vigil_forward_positions ORDER BY site, queue_id
            """, logger: logger)
        for try await (site, queue, next, age) in positionRows.decode((String, String, Int64, Double).self) {
            positions.append(Position(site: site, queue: queue, nextOffset: next, age: age))
        }
        return (cameras, positions)
    }
}
