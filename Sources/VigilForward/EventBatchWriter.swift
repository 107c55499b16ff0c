import Foundation
import Logging
import PostgresNIO

/// How a batch of events travels to the database. Both ways end in the same
/// `INSERT … SELECT … ON CONFLICT DO NOTHING` (so a batch sent again after a crash inserts
/// nothing twice); they differ in how the records reach the server. `bench/forward.py`
/// measures both.
public protocol EventBatchWriter: Sendable {
    var name: String { get }
    /// Once per connection, before the first batch.
    func prepare(_ connection: PostgresConnection, logger: Logger) async throws
    /// Inside the caller's transaction; returns how many rows were new.
    func insert(_ batch: EventBatch, site: String, queue: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Int
}

enum EventRows {
    /// The columns from each record, `source` yielding `(off bigint, r jsonb)`; the record is
    /// kept whole as `jsonb` without the line's checksum, which belongs to the queue file.
    /// `OFFSET 0` keeps the planner from folding the subquery into the select list, which
    /// parsed each record's JSON once per column (15 times): 4,700 rows/s instead of 20,000+.
    static func insert(from source: String, site: String, queue: String) -> String {
        """
        WITH inserted AS (
            INSERT INTO vigil_events (site, queue_id, "offset", time, camera, type, state, zone, line, direction,
                                      track, class, frame, pts, snapshot, event_id, record)
            SELECT \(site), \(queue), s.off, (s.r->>'time')::timestamptz, s.r->>'camera', s.r->>'type', s.r->>'state',
                   s.r->>'zone', s.r->>'line', s.r->>'direction', (s.r->>'track')::bigint, s.r->>'class',
                   (s.r->>'frame')::bigint, (s.r->>'pts')::double precision, s.r->>'snapshot', s.r->>'id', s.r - 'crc32c'
            FROM (\(source) OFFSET 0) AS s
            ON CONFLICT DO NOTHING
            RETURNING 1
        )
        SELECT count(*) FROM inserted
        """
    }

    static func count(_ rows: PostgresRowSequence) async throws -> Int {
        var total = 0
        for try await value in rows.decode(Int.self) { total = value }
        return total
    }
}

/// COPY into a temporary staging table, then one INSERT … SELECT from it.
public struct CopyBatchWriter: EventBatchWriter {
    public var name: String { "copy" }
    public init() {}

    public func prepare(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("CREATE TEMP TABLE IF NOT EXISTS vigil_staging (off bigint NOT NULL, rec text NOT NULL) ON COMMIT DELETE ROWS", logger: logger)
    }

    public func insert(_ batch: EventBatch, site: String, queue: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        try await connection.copyFrom(table: "vigil_staging", columns: ["off", "rec"], logger: logger) { writer in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(256 * 1024)
            for (offset, line) in zip(batch.offsets, batch.lines) {
                buffer.writeString(String(offset))
                buffer.writeInteger(UInt8(ascii: "\t"))
                // COPY's text format: a backslash starts an escape; a record is one line
                // with no tab or newline, so doubling backslashes is all it needs.
                buffer.writeString(line.contains("\\") ? line.replacingOccurrences(of: "\\", with: "\\\\") : line)
                buffer.writeInteger(UInt8(ascii: "\n"))
                if buffer.readableBytes >= 256 * 1024 {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }
        let sql = EventRows.insert(from: "SELECT off, rec::jsonb AS r FROM vigil_staging", site: "$1", queue: "$2::uuid")
        var binds = PostgresBindings()
        binds.append(site)
        binds.append(queue.uuidString.lowercased())
        return try await EventRows.count(try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger))
    }
}

/// One INSERT whose records come as two array parameters, unpacked by `unnest` on the
/// server: two binds whatever the batch size (no 65,535-parameter limit).
public struct UnnestBatchWriter: EventBatchWriter {
    public var name: String { "unnest" }
    public init() {}

    public func prepare(_ connection: PostgresConnection, logger: Logger) async throws {}

    public func insert(_ batch: EventBatch, site: String, queue: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let sql = EventRows.insert(from: "SELECT off, rec::jsonb AS r FROM unnest($3::bigint[], $4::text[]) AS u(off, rec)", site: "$1", queue: "$2::uuid")
        var binds = PostgresBindings()
        binds.append(site)
        binds.append(queue.uuidString.lowercased())
        binds.append(batch.offsets)
        binds.append(batch.lines)
        return try await EventRows.count(try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger))
    }
}
