import Foundation
import GRDB
import VigilEvents

/// The console's search index: one SQLite row per queue record, with the columns the
/// console filters on. The queue stays the source of truth; the index can be deleted and
/// is rebuilt from the queue by the console's own consumer.
public final class EventIndex: Sendable {
    let database: DatabasePool
    public let path: String

    /// An acknowledgement as the page shows it.
    public struct Acknowledgement: Sendable, Codable, Equatable {
        public var user: String
        public var time: String
        public var note: String?
        /// Offset of the acknowledgement record in the queue.
        public var offset: Int64
    }

    /// One row of a search result.
    public struct Item: Sendable, Codable, Equatable {
        public var event: Event
        public var acknowledgement: Acknowledgement?
        /// Cursor of this item, for the next page.
        public var cursor: String
    }

    public init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        database = try DatabasePool(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE event (
                    offset INTEGER PRIMARY KEY,
                    id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    camera TEXT NOT NULL,
                    zone TEXT, line TEXT, direction TEXT, state TEXT,
                    time_ms INTEGER NOT NULL,
                    json TEXT NOT NULL,
                    ack_user TEXT, ack_time TEXT, ack_note TEXT, ack_offset INTEGER
                );
                CREATE INDEX event_time ON event(time_ms, offset);
                CREATE INDEX event_camera_time ON event(camera, time_ms, offset);
                CREATE INDEX event_type_time ON event(type, time_ms, offset);
                CREATE INDEX event_camera_type_time ON event(camera, type, time_ms);
                CREATE INDEX event_zone_time ON event(zone, time_ms, offset);
                CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                CREATE TABLE zone_sample (
                    camera TEXT NOT NULL, zone TEXT NOT NULL, time_ms INTEGER NOT NULL,
                    people REAL, persons INTEGER NOT NULL, vehicles INTEGER NOT NULL
                );
                CREATE INDEX zone_sample_camera_time ON zone_sample(camera, time_ms);
                """)
        }
        try migrator.migrate(database)
    }

    /// The next queue offset to index.
    public func nextOffset() throws -> UInt64 {
        try database.read { db in
            UInt64(try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'next_offset'") ?? 0)
        }
    }

    /// Indexes a batch of queue records in one transaction and moves the next offset past
    /// them; records already there are left alone, so replaying a batch is harmless.
    @discardableResult
    public func add(_ records: [(offset: UInt64, event: Event)], next: UInt64) throws -> Int {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try database.write { db in
            var added = 0
            for (offset, original) in records {
                var event = original
                event.offset = offset
                let json = String(decoding: try encoder.encode(event), as: UTF8.self)
                try db.execute(sql: """
                    INSERT OR IGNORE INTO event (offset, id, type, camera, zone, line, direction, state, time_ms, json)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [Int64(offset), event.id, event.type.rawValue, event.camera, event.zone, event.line,
                                     event.direction, event.state?.rawValue, Self.milliseconds(event.time), json])
                added += db.changesCount
                if event.type == .acknowledgement, case let .int(target)? = event.data?["acknowledges"],
                   case let .string(user)? = event.data?["user"] {
                    var note: String?
                    if case let .string(text)? = event.data?["note"] { note = text }
                    // The first acknowledgement stands; a later one for the same event changes nothing.
                    try db.execute(sql: """
                        UPDATE event SET ack_user = ?, ack_time = ?, ack_note = ?, ack_offset = ?
                        WHERE offset = ? AND ack_offset IS NULL
                        """, arguments: [user, event.time, note, Int64(offset), target])
                }
            }
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('next_offset', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [Int64(next)])
            return added
        }
    }

    public func search(_ query: EventQuery) throws -> [Item] {
        var clauses: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let camera = query.camera { clauses.append("camera = ?"); arguments.append(camera) }
        if let type = query.type { clauses.append("type = ?"); arguments.append(type) }
        else if !query.includeAcknowledgements { clauses.append("type <> 'acknowledgement'") }
        if let zone = query.zone { clauses.append("zone = ?"); arguments.append(zone) }
        if let since = query.sinceMs { clauses.append("time_ms >= ?"); arguments.append(since) }
        if let until = query.untilMs { clauses.append("time_ms < ?"); arguments.append(until) }
        if query.unacknowledgedOnly { clauses.append("ack_offset IS NULL") }
        if let before = query.before {
            clauses.append("(time_ms < ? OR (time_ms = ? AND offset < ?))")
            arguments.append(contentsOf: [before.timeMs, before.timeMs, before.offset])
        }
        let limit = max(1, min(query.limit, EventQuery.largestPage))
        let sql = "SELECT offset, time_ms, json, ack_user, ack_time, ack_note, ack_offset FROM event"
            + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND "))
            + " ORDER BY time_ms DESC, offset DESC LIMIT \(limit)"
        let rows = try database.read { db in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) }
        return rows.compactMap(Self.item)
    }

    /// One event by queue offset.
    public func event(at offset: UInt64) throws -> Item? {
        let rows = try database.read { db in
            try Row.fetchAll(db, sql: "SELECT offset, time_ms, json, ack_user, ack_time, ack_note, ack_offset FROM event WHERE offset = ?", arguments: [Int64(offset)])
        }
        return rows.first.flatMap(Self.item)
    }

    /// Line crossings per line, direction and time bucket since `sinceMs`.
    public struct LineBucket: Sendable, Codable, Equatable {
        public var line: String
        public var direction: String
        public var bucketMs: Int64
        public var count: Int
    }

    public func lineCounts(camera: String, sinceMs: Int64, bucketSeconds: Int) throws -> [LineBucket] {
        let bucket = Int64(max(1, bucketSeconds)) * 1000
        return try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT line, direction, (time_ms / ?) * ? AS bucket, COUNT(*) AS n FROM event
                WHERE camera = ? AND type = 'line_crossing' AND time_ms >= ?
                GROUP BY line, direction, bucket ORDER BY bucket
                """, arguments: [bucket, bucket, camera, sinceMs]).map {
                LineBucket(line: $0["line"] ?? "", direction: $0["direction"] ?? "", bucketMs: $0["bucket"], count: $0["n"])
            }
        }
    }

    /// Crossings since `sinceMs` per camera, line and direction, in one query (the wall's counts).
    public func lineTotals(sinceMs: Int64) throws -> [String: [String: [String: Int]]] {
        try database.read { db in
            var totals: [String: [String: [String: Int]]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT camera, line, direction, COUNT(*) AS n FROM event
                WHERE type = 'line_crossing' AND time_ms >= ? GROUP BY camera, line, direction
                """, arguments: [sinceMs]) {
                totals[row["camera"], default: [:]][row["line"] ?? "", default: [:]][row["direction"] ?? ""] = row["n"]
            }
            return totals
        }
    }

    /// People and objects per zone, sampled by the console from the workers' state.
    public struct ZoneSample: Sendable, Codable, Equatable {
        public var zone: String
        public var timeMs: Int64
        public var people: Double?
        public var persons: Int
        public var vehicles: Int
    }

    public func addSamples(camera: String, timeMs: Int64, _ samples: [ZoneSample], keepDays: Double = 7) throws {
        try database.write { db in
            for sample in samples {
                try db.execute(sql: "INSERT INTO zone_sample (camera, zone, time_ms, people, persons, vehicles) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [camera, sample.zone, timeMs, sample.people, sample.persons, sample.vehicles])
            }
            try db.execute(sql: "DELETE FROM zone_sample WHERE camera = ? AND time_ms < ?", arguments: [camera, timeMs - Int64(keepDays * 86_400_000)])
        }
    }

    public func samples(camera: String, sinceMs: Int64) throws -> [ZoneSample] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT zone, time_ms, people, persons, vehicles FROM zone_sample WHERE camera = ? AND time_ms >= ? ORDER BY time_ms",
                             arguments: [camera, sinceMs]).map {
                ZoneSample(zone: $0["zone"], timeMs: $0["time_ms"], people: $0["people"], persons: $0["persons"], vehicles: $0["vehicles"])
            }
        }
    }

    /// Unacknowledged alarms (starts and one-off events of `types`) since `sinceMs`, per camera.
    public func activeAlarms(sinceMs: Int64, types: [String]) throws -> [String: Int] {
        let placeholders = types.map { _ in "?" }.joined(separator: ", ")
        var arguments: [(any DatabaseValueConvertible)?] = [sinceMs]
        arguments.append(contentsOf: types.map { $0 as (any DatabaseValueConvertible)? })
        return try database.read { db in
            var result: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT camera, COUNT(*) AS n FROM event
                WHERE time_ms >= ? AND type IN (\(placeholders)) AND ack_offset IS NULL AND (state IS NULL OR state = 'start')
                GROUP BY camera
                """, arguments: StatementArguments(arguments)) {
                result[row["camera"]] = row["n"]
            }
            return result
        }
    }

    /// Events after `offset` in queue order (including acknowledgements): what a live
    /// stream missed while it was away.
    public func events(after offset: Int64, limit: Int) throws -> [Item] {
        let rows = try database.read { db in
            try Row.fetchAll(db, sql: "SELECT offset, time_ms, json, ack_user, ack_time, ack_note, ack_offset FROM event WHERE offset > ? ORDER BY offset LIMIT ?",
                             arguments: [offset, limit])
        }
        return rows.compactMap(Self.item)
    }

    static func item(_ row: Row) -> Item? {
        let json: String = row["json"]
        guard let event = try? JSONDecoder().decode(Event.self, from: Data(json.utf8)) else { return nil }
        var acknowledgement: Acknowledgement?
        if let ackOffset: Int64 = row["ack_offset"] {
            acknowledgement = Acknowledgement(user: row["ack_user"] ?? "", time: row["ack_time"] ?? "", note: row["ack_note"], offset: ackOffset)
        }
        return Item(event: event, acknowledgement: acknowledgement, cursor: EventCursor(timeMs: row["time_ms"], offset: row["offset"]).description)
    }

    public func count() throws -> Int { try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event") ?? 0 } }

    static func milliseconds(_ time: String) -> Int64 {
        guard let seconds = UTCTime.epochSeconds(time) else { return 0 }
        var millis: Int64 = 0
        if let dot = time.firstIndex(of: ".") {
            let digits = time[time.index(after: dot)...].prefix { $0.isNumber }
            millis = Int64(String(digits.prefix(3)).padding(toLength: 3, withPad: "0", startingAt: 0)) ?? 0
        }
        return Int64(seconds) * 1000 + millis
    }
}
