import Foundation
import Logging
import PostgresNIO
import VigilService

/// This host's cameras in `vigil_cameras`, for `vigil status --all-hosts` anywhere in the
/// city. The forwarder sends them for every worker of its host, from the state files the
/// workers write each second: one connection per host, not one per camera.
public struct CameraStateUpload: Sendable {
    public var site: String
    public var cameras: [String]
    public var stateDirectory: String

    public init(site: String, cameras: [String], stateDirectory: String) {
        self.site = site
        self.cameras = cameras
        self.stateDirectory = stateDirectory
    }

    public func send(on connection: PostgresConnection, logger: Logger) async throws {
        guard !cameras.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var states: [String] = [], documents: [String] = []
        for camera in cameras {
            let (state, status) = WorkerStatusFile.displayState(camera: camera, directory: stateDirectory)
            states.append(state)
            documents.append(status.flatMap { try? String(decoding: encoder.encode($0), as: UTF8.self) } ?? "{}")
        }
        var binds = PostgresBindings()
        binds.append(site)
        binds.append(cameras)
        binds.append(states)
        binds.append(documents)
        try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO vigil_cameras (site, camera, state, status, updated_at)
            SELECT $1, c, s, d::jsonb, now() FROM unnest($2::text[], $3::text[], $4::text[]) AS u(c, s, d)
            ON CONFLICT (site, camera) DO UPDATE SET state = EXCLUDED.state, status = EXCLUDED.status, updated_at = now()
            """, binds: binds), logger: logger)
    }
}
