import Foundation
import Testing
@testable import VigilEvents

@Suite("Queue: retention waits for a holding group; the queue's identity")
struct QueueHoldTests {
    /// Segments of 1 kB and 3 kB kept: a few dozen events exceed the limit.
    func smallQueue(_ directory: String) throws -> QueueWriter {
        var options = QueueOptions()
        options.segmentBytes = 1_000
        options.retentionBytes = 3_000
        return try QueueWriter(directory: directory, options: options)
    }

    @Test("a holding group keeps every segment it has not consumed, says so, and releases them as it commits")
    func holdKeepsUnsentSegments() throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try smallQueue(directory)
        var messages: [String] = []
        writer.log = { messages.append($0) }
        let group = try ConsumerGroup(queueDirectory: directory, name: "forward")
        try group.hold()
        for index in 0..<60 { try writer.append([event(index)]) }
        writer.applyRetention()
        // Nothing was consumed: every record is still there, and the writer said why.
        #expect(try readAll(directory).map(\.offset) == Array(0...59))
        #expect(messages.contains { $0.contains("RETENTION IS WAITING") && $0.contains("'forward'") })
        #expect(ConsumerGroup.holds(queueDirectory: directory) == [ConsumerGroup.Hold(name: "forward", committed: 0)])

        // Consumed up to 30: segments wholly below 30 may go, the rest stays.
        try group.commit(30)
        writer.applyRetention()
        let kept = try readAll(directory).map(\.offset)
        #expect(kept.first! > 0 && kept.first! <= 30)
        #expect(kept.last == 59)

        // Released: plain retention by size again.
        group.release()
        writer.applyRetention()
        let layout = QueueLayout(directory: directory)
        let total = try layout.segments().compactMap { QueueLayout.fileSize(layout.segmentPath($0)) }.reduce(0, +)
        #expect(total <= 3_000 + 1_000)
        #expect(try readAll(directory).first!.offset > kept.first!)
    }

    @Test("a group that is not holding does not stop retention")
    func plainGroupDoesNotHold() throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try smallQueue(directory)
        writer.log = { _ in }
        try ConsumerGroup(queueDirectory: directory, name: "console").commit(0)
        for index in 0..<60 { try writer.append([event(index)]) }
        writer.applyRetention()
        #expect(try readAll(directory).first!.offset > 0)
    }

    @Test("a queue's identity is made once and kept; another queue has another")
    func identity() throws {
        let first = temporaryQueue(), second = temporaryQueue()
        defer {
            try? FileManager.default.removeItem(atPath: first)
            try? FileManager.default.removeItem(atPath: second)
        }
        let made = try QueueIdentity.of(queueDirectory: first)
        #expect(try QueueIdentity.of(queueDirectory: first) == made)
        #expect(try QueueIdentity.of(queueDirectory: second) != made)
        let text = try String(contentsOfFile: first + "/identity", encoding: .utf8)
        #expect(text == made.uuidString.lowercased() + "\n")
        // No temporary file is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: first).filter { $0.hasPrefix("identity") } == ["identity"])
    }

    @Test("a damaged identity file is an error naming the file, not a new identity")
    func damagedIdentity() throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "not-a-uuid\n".write(toFile: directory + "/identity", atomically: true, encoding: .utf8)
        #expect { try QueueIdentity.of(queueDirectory: directory) } throws: { "\($0)".contains("identity") && "\($0)".contains("not-a-uuid") }
    }
}
