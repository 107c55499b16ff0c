import Foundation
import Testing
import VigilEvents
@testable import VigilConsole

@Suite("Console: the search index")
struct EventIndexTests {
    static func temporaryPath() -> String { NSTemporaryDirectory() + "vigil-index-\(UUID().uuidString)/index.sqlite" }

    static func event(_ type: EventType, camera: String, time: String, zone: String? = nil, line: String? = nil,
                      direction: String? = nil, state: Event.State? = nil) -> Event {
        Event(type: type, camera: camera, time: time, state: state, zone: zone, line: line, direction: direction)
    }

    @Test func filtersPagesAndAcknowledgements() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let index = try EventIndex(path: path)
        var records: [(offset: UInt64, event: Event)] = []
        for minute in 0..<30 {
            let camera = minute % 3 == 0 ? "gate" : "street"
            let time = String(format: "2026-12-02T01:%02d:00.000Z", minute)
            records.append((UInt64(minute), minute % 3 == 0
                ? Self.event(.intrusion, camera: camera, time: time, zone: "east", state: .start)
                : Self.event(.lineCrossing, camera: camera, time: time, line: "stop", direction: minute % 2 == 0 ? "in" : "out")))
        }
        try index.add(records, next: 30)
        #expect(try index.nextOffset() == 30)
        // Replaying a batch (at-least-once delivery) changes nothing.
        #expect(try index.add(Array(records.prefix(5)), next: 30) == 0)
        #expect(try index.count() == 30)

        var query = EventQuery()
        query.camera = "gate"
        let gate = try index.search(query)
        #expect(gate.count == 10 && gate.allSatisfy { $0.event.camera == "gate" })
        #expect(gate.first?.event.offset == 27)  // newest first

        query = EventQuery()
        query.sinceMs = EventIndex.milliseconds("2026-12-02T01:10:00.000Z")
        query.untilMs = EventIndex.milliseconds("2026-12-02T01:20:00.000Z")
        query.type = "line_crossing"
        let window = try index.search(query)
        #expect(window.map { $0.event.offset! } == [19, 17, 16, 14, 13, 11, 10])

        // Keyset pages cover everything once.
        query = EventQuery()
        query.limit = 7
        var seen: [UInt64] = []
        while true {
            let page = try index.search(query)
            seen += page.compactMap(\.event.offset)
            guard page.count == query.limit, let last = page.last else { break }
            query.before = EventCursor(last.cursor)
        }
        #expect(seen == (0..<30).reversed().map(UInt64.init))

        // An acknowledgement marks its event; a second one for the same event does not replace it.
        let ack = Event(type: .acknowledgement, camera: "gate", time: "2026-12-02T02:00:00.000Z",
                        data: ["acknowledges": .int(3), "user": .string("lan"), "note": .string("đã xử lý")])
        let late = Event(type: .acknowledgement, camera: "gate", time: "2026-12-02T02:05:00.000Z",
                         data: ["acknowledges": .int(3), "user": .string("minh")])
        try index.add([(30, ack), (31, late)], next: 32)
        let acknowledged = try #require(try index.event(at: 3))
        #expect(acknowledged.acknowledgement == EventIndex.Acknowledgement(user: "lan", time: "2026-12-02T02:00:00.000Z", note: "đã xử lý", offset: 30))
        // Acknowledgements are not alarms: searches leave them out unless asked.
        #expect(try index.search(EventQuery()).allSatisfy { $0.event.type != .acknowledgement })
        query = EventQuery()
        query.unacknowledgedOnly = true
        query.type = "intrusion"
        #expect(try index.search(query).map { $0.event.offset! } == [27, 24, 21, 18, 15, 12, 9, 6, 0])
        let active = try index.activeAlarms(sinceMs: 0, types: ["intrusion"])
        #expect(active == ["gate": 9])

        let buckets = try index.lineCounts(camera: "street", sinceMs: 0, bucketSeconds: 600)
        #expect(buckets.reduce(0) { $0 + $1.count } == 20)
        #expect(buckets.filter { $0.bucketMs == EventIndex.milliseconds("2026-12-02T01:00:00.000Z") }.reduce(0) { $0 + $1.count } == 6)
    }

    @Test func rebuiltFromTheQueueWhenDeleted() throws {
        let folder = NSTemporaryDirectory() + "vigil-rebuild-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let writer = try QueueWriter(directory: folder + "/queue")
        try writer.append((0..<250).map { Event(type: .manual, camera: "cam\($0 % 4)", data: ["n": .int(Int64($0))]) })
        for round in 0..<2 {
            let index = try EventIndex(path: folder + "/index.sqlite")
            let feeder = IndexFeeder(queueDirectory: folder + "/queue", index: index, broadcaster: EventBroadcaster(), logger: .init(label: "test"))
            let reader = try QueueReader(directory: folder + "/queue", from: .offset(try index.nextOffset()))
            while try feeder.step(reader, batch: 100) > 0 {}
            #expect(try index.count() == 250, "round \(round)")
            #expect(try index.nextOffset() == 250)
            #expect(try ConsumerGroup(queueDirectory: folder + "/queue", name: "console").committed() == 250)
            // Delete the index: the next round starts from the queue's first record.
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: folder + "/index.sqlite" + suffix) }
        }
    }
}
