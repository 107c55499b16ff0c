import Foundation
import Logging
import PostgresNIO
import Testing
import VigilConfig
import VigilEvents
@testable import VigilForward

/// The forwarder against a real PostgreSQL 15 from Debian. The fault test with SIGKILL and
/// database restarts is Tests/forward/forward_chaos.py.
@Suite("Forward: into a real PostgreSQL", .serialized)
struct ForwarderTests {
    static let logger: Logger = {
        var logger = Logger(label: "test.forward")
        logger.logLevel = .error
        return logger
    }()

    func queue(events: Int, cameras: [String] = ["gate", "door"]) throws -> String {
        let directory = NSTemporaryDirectory() + "vigil-forward-\(UUID().uuidString.prefix(8))"
        let writer = try QueueWriter(directory: directory)
        var batch: [Event] = []
        for index in 0..<events {
            batch.append(Event(type: index % 3 == 0 ? .intrusion : .manual, camera: cameras[index % cameras.count],
                               state: index % 3 == 0 ? .start : nil, zone: index % 3 == 0 ? "yard" : nil,
                               track: index, data: ["seq": .int(Int64(index)), "text": .string("quote \" backslash \\ tab\t ✓")]))
            if batch.count == 500 { try writer.append(batch); batch.removeAll() }
        }
        if !batch.isEmpty { try writer.append(batch) }
        return directory
    }

    func forwarder(_ database: TestDatabase, queue: String, site: String = "test", method: ForwardSettings.Method = .copy, untilCaughtUp: Bool = true) throws -> Forwarder {
        var options = ForwarderOptions(queueDirectory: queue, endpoint: try PostgresEndpoint(settings: try database.settings(passwordFileIn: queue), environment: [:]), site: site)
        options.method = method
        options.batch = 700
        options.untilCaughtUp = untilCaughtUp
        options.stateDirectory = queue + "/state"
        return Forwarder(options: options, logger: Self.logger)
    }

    @Test("every event is stored once with its fields; a batch sent again inserts nothing; both methods agree")
    func storesOnce() async throws {
        let database = try TestDatabase()
        defer { database.remove() }
        for method in ForwardSettings.Method.allCases {
            let directory = try queue(events: 2_345)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let site = "site-\(method.rawValue)"
            let first = try forwarder(database, queue: directory, site: site, method: method)
            try await first.run()
            #expect(first.currentStatus.eventsStored == 2_345)
            #expect(try ConsumerGroup(queueDirectory: directory, name: "forward").committed() == 2_345)
            #expect(try await database.count("SELECT count(*) FROM vigil_events WHERE site = '\(site)'") == 2_345)
            #expect(try await database.count("SELECT count(DISTINCT \"offset\") FROM vigil_events WHERE site = '\(site)'") == 2_345)
            // The columns come from the record, and the record is whole (its checksum aside).
            #expect(try await database.count("""
                SELECT count(*) FROM vigil_events WHERE site = '\(site)' AND type = 'intrusion' AND state = 'start' AND zone = 'yard'
                AND track = "offset" AND (record->'data'->>'seq')::bigint = "offset" AND record->'data'->>'text' = E'quote " backslash \\\\ tab\\t ✓'
                AND NOT record ? 'crc32c' AND camera IN ('gate', 'door')
                """) == 782)

            // The group rewound, as after a crash between the database's commit and the group's:
            // the same batches again, and not one row more.
            try ConsumerGroup(queueDirectory: directory, name: "forward").commit(0)
            let again = try forwarder(database, queue: directory, site: site, method: method)
            try await again.run()
            #expect(again.currentStatus.eventsStored == 0)
            #expect(again.currentStatus.duplicatesSkipped == 2_345)
            #expect(try await database.count("SELECT count(*) FROM vigil_events WHERE site = '\(site)'") == 2_345)
            #expect(try await database.count("SELECT next_offset FROM vigil_forward_positions WHERE site = '\(site)'") == 2_345)
            // Retention is told to wait for this group.
            #expect(ConsumerGroup.holds(queueDirectory: directory).map(\.name) == ["forward"])
        }
        // One partition per day, made by the forwarder.
        #expect(try await database.count("SELECT count(*) FROM pg_inherits WHERE inhparent = 'vigil_events'::regclass") >= 1)
    }

    @Test("a forwarder started before any worker made the queue waits for it, then stores what comes")
    func startsBeforeQueue() async throws {
        let database = try TestDatabase()
        defer { database.remove() }
        let directory = NSTemporaryDirectory() + "vigil-forward-\(UUID().uuidString.prefix(8))"
        let settingsFolder = NSTemporaryDirectory() + "vigil-forward-settings-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: settingsFolder, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: settingsFolder)
        }
        let options = ForwarderOptions(queueDirectory: directory, endpoint: try PostgresEndpoint(settings: try database.settings(passwordFileIn: settingsFolder), environment: [:]), site: "early")
        let forwarder = Forwarder(options: options, logger: Self.logger)
        let running = Task { try await forwarder.run() }
        try await Task.sleep(for: .seconds(1))
        try QueueWriter(directory: directory).append((0..<50).map { Event(type: .manual, camera: "gate", data: ["seq": .int(Int64($0))]) })
        let deadline = ContinuousClock.now + .seconds(20)
        while forwarder.currentStatus.committed < 50 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        forwarder.stop()
        try await running.value
        #expect(try await database.count("SELECT count(*) FROM vigil_events WHERE site = 'early'") == 50)
    }

    @Test("each committed batch is announced with NOTIFY vigil_events, after its commit")
    func notifies() async throws {
        let database = try TestDatabase()
        defer { database.remove() }
        let directory = try queue(events: 1_000)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The schema first, so the listener's query of the table sees committed rows only.
        _ = try await database.withConnection { try await EventStoreSchema.migrate($0, logger: Self.logger) }
        let payloads = try await database.withConnection { connection -> [String] in
            try await connection.listen(on: "vigil_events") { notifications in
                let forwarder = try forwarder(database, queue: directory)
                try await forwarder.run()
                var received: [String] = []
                for try await notification in notifications {
                    received.append(notification.payload)
                    if received.count == 2 { break }   // 1,000 events in batches of 700
                }
                return received
            }
        }
        struct Notice: Decodable { var site: String; var queue: String; var first: Int; var last: Int; var stored: Int }
        let notices = try payloads.map { try JSONDecoder().decode(Notice.self, from: Data($0.utf8)) }
        #expect(notices.map(\.first) == [0, 700] && notices.map(\.last) == [699, 999] && notices.map(\.stored) == [700, 300])
        #expect(notices.allSatisfy { $0.site == "test" && $0.queue == (try? QueueIdentity.of(queueDirectory: directory).uuidString.lowercased()) })
    }

    @Test("with the database down the forwarder retries, reports why without the password, and stores everything once it is back")
    func survivesOutage() async throws {
        let database = try TestDatabase()
        defer { database.remove() }
        try database.stop()
        let directory = try queue(events: 3_000)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let forwarder = try forwarder(database, queue: directory)
        let running = Task { try await forwarder.run() }
        // Down: nothing is committed, the state says why.
        try await Task.sleep(for: .seconds(2))
        let down = forwarder.currentStatus
        #expect(!down.connected)
        #expect(down.committed == 0)
        #expect(down.lastError?.isEmpty == false)
        #expect(down.lastError?.contains(database.password) == false)
        let file = try String(contentsOfFile: ForwarderStatus.path(directory: directory + "/state"), encoding: .utf8)
        #expect(file.contains("\"lag\":3000") && !file.contains(database.password))
        try database.start()
        try await running.value
        #expect(forwarder.currentStatus.connected && forwarder.currentStatus.lag == 0)
        #expect(try await database.count("SELECT count(*) FROM vigil_events") == 3_000)
    }

    @Test("the cameras' state reaches vigil_cameras, and a schema newer than this Vigil is refused")
    func camerasAndSchema() async throws {
        let database = try TestDatabase()
        defer { database.remove() }
        let directory = try queue(events: 10)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = ForwarderOptions(queueDirectory: directory, endpoint: try PostgresEndpoint(settings: try database.settings(passwordFileIn: directory), environment: [:]), site: "hue-north")
        options.untilCaughtUp = true
        options.stateDirectory = directory + "/state"
        options.cameras = ["gate", "door"]
        try await Forwarder(options: options, logger: Self.logger).run()
        let fetched = try await FleetStatusQuery.fetch(endpoint: options.endpoint, logger: Self.logger)
        #expect(fetched.cameras.map(\.camera) == ["door", "gate"] && fetched.cameras.allSatisfy { $0.site == "hue-north" && $0.state == "never ran" })
        #expect(fetched.positions.map(\.nextOffset) == [10])

        _ = try await database.withConnection { connection in
            try await connection.query("INSERT INTO vigil_schema (version) VALUES (99)", logger: Self.logger)
        }
        await #expect { try await Forwarder(options: options, logger: Self.logger).run() } throws: { "\($0)".contains("newer than this Vigil") }
    }
}
