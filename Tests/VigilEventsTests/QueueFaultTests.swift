import Foundation
import Testing
@testable import VigilEvents

/// Queues damaged by hand, as a restored backup, a copy mistake or a careless operator
/// leaves them: nothing acknowledged may become unreadable, and what is still good is read.
@Suite("Queue: hand-damaged queues")
struct QueueFaultTests {
    private func lines(_ path: String) throws -> [Data] {
        try Data(contentsOf: URL(fileURLWithPath: path)).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map { Data($0) }
    }

    private func appendRaw(_ bytes: Data, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: bytes)
        try handle.close()
    }

    @Test("repeated records at the tail: the next offset follows the highest, the repeats go to quarantine", arguments: [[9], [5], [7, 8, 9], [3, 4]])
    func repeatedTail(repeats: [Int]) throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try QueueWriter(directory: directory).append((0..<10).map { event($0) })
        let segment = QueueLayout(directory: directory).segmentPath(0)
        let original = try lines(segment)
        for index in repeats { try appendRaw(original[index] + Data([10]), to: segment) }
        // A reader skips the repeats already; stat must report the real range.
        #expect(try readAll(directory).map(\.offset) == Array(0..<10))
        let before = try QueueInspector(directory: directory).status()
        #expect(before.firstOffset == 0 && before.lastOffset == 9)

        var messages: [String] = []
        let writer = try QueueWriter(directory: directory, log: { messages.append($0) })
        #expect(messages.contains { $0.contains("repeat offsets") && $0.contains("quarantine/") }, "\(messages)")
        #expect(try writer.append([event(10), event(11)]) == [10, 11])
        let records = try readAll(directory)
        #expect(records.map(\.offset) == Array(0..<12))
        #expect(try records[10].event().data?["n"] == .int(10))
        let kept = try FileManager.default.contentsOfDirectory(atPath: directory + "/quarantine")
        #expect(kept.count == 1)
        #expect(try lines(directory + "/quarantine/" + kept[0]).count == repeats.count)
    }

    @Test("a record repeated under a running writer is caught at its next append")
    func repeatedUnderRunningWriter() throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var messages: [String] = []
        let writer = try QueueWriter(directory: directory, log: { messages.append($0) })
        try writer.append((0..<10).map { event($0) })
        let segment = QueueLayout(directory: directory).segmentPath(0)
        try appendRaw(try lines(segment)[4] + Data([10]), to: segment)
        #expect(try writer.append([event(10)]) == [10])
        #expect(try readAll(directory).map(\.offset) == Array(0..<11))
        #expect(messages.contains { $0.contains("repeat offsets") })
    }

    @Test("repeats followed by newer records stay (readers skip them) and the end is the highest offset")
    func repeatedInside() throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try QueueWriter(directory: directory).append((0..<5).map { event($0) })
        let segment = QueueLayout(directory: directory).segmentPath(0)
        let original = try lines(segment)
        try appendRaw(original[2] + Data([10]) + Data(try QueueRecord.encode(event(5), offset: 5)), to: segment)
        var messages: [String] = []
        let writer = try QueueWriter(directory: directory, log: { messages.append($0) })
        #expect(messages.contains { $0.contains("1 record(s) repeat earlier offsets") }, "\(messages)")
        #expect(try writer.append([event(6)]) == [6])
        #expect(try readAll(directory).map(\.offset) == Array(0..<7))
    }

    /// Three segments of five records; the middle one is replaced by `damage`.
    private func threeSegments(_ damage: (String) throws -> Void) throws -> (directory: String, messages: [String], offsets: [UInt64]) {
        let directory = temporaryQueue()
        var options = QueueOptions()
        options.segmentBytes = 900
        let writer = try QueueWriter(directory: directory, options: options)
        for index in 0..<15 { try writer.append([event(index)]) }
        let segments = try QueueLayout(directory: directory).segments()
        #expect(segments.count >= 3, "\(segments)")
        try damage(QueueLayout(directory: directory).segmentPath(segments[1]))
        var messages: [String] = []
        let offsets = try readAll(directory, log: { messages.append($0) }).map(\.offset)
        return (directory, messages, offsets)
    }

    @Test("an unreadable middle segment is reported and skipped; the records around it are read", arguments: ["directory", "symlink loop", "fifo"])
    func unreadableMiddle(kind: String) throws {
        var firstOfMiddle: UInt64 = 0
        var endOfMiddle: UInt64 = 0
        let (directory, messages, offsets) = try threeSegments { path in
            let segments = try QueueLayout(directory: (path as NSString).deletingLastPathComponent).segments()
            firstOfMiddle = segments[1]
            endOfMiddle = segments[2]
            try FileManager.default.removeItem(atPath: path)
            switch kind {
            case "directory": try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            case "symlink loop": #expect(symlink(path, path) == 0)
            default: #expect(mkfifo(path, 0o644) == 0)
            }
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let expected = Array(0..<firstOfMiddle) + Array(endOfMiddle..<15)
        #expect(offsets == expected)
        #expect(messages.contains { $0.contains(QueueLayout.segmentName(firstOfMiddle)) && $0.contains("skipped its records") }, "\(messages)")
        // A writer still appends after it, and a reader that follows sees the new record.
        #expect(try QueueWriter(directory: directory).append([event(15)]) == [15])
        #expect(try readAll(directory).map(\.offset).last == 15)
    }

    @Test("a truncated or deleted middle segment is reported as missing, not as retention", arguments: ["truncated", "emptied", "deleted"])
    func missingMiddle(kind: String) throws {
        let (directory, messages, offsets) = try threeSegments { path in
            switch kind {
            case "truncated": #expect(truncate(path, 150) == 0)
            case "emptied": #expect(truncate(path, 0) == 0)
            default: try FileManager.default.removeItem(atPath: path)
            }
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(offsets.count < 15 && offsets.first == 0 && offsets.last == 14)
        #expect(messages.contains { $0.contains("are missing from the queue") }, "\(messages)")
        #expect(!messages.contains { $0.contains("retention") && !$0.contains("retention only") }, "\(messages)")
    }

    @Test("unknown fields are refused when appending, accepted when reading back")
    func unknownFields() throws {
        let decoder = JSONDecoder()
        decoder.userInfo[Event.rejectUnknownFields] = true
        let line = Data(#"{"type":"manual","camera":"gate","colour":"red"}"#.utf8)
        #expect(throws: EventValidationError.self) { try decoder.decode(Event.self, from: line) }
        do {
            _ = try decoder.decode(Event.self, from: line)
        } catch let error as EventValidationError {
            #expect(error.field == "colour")
        }
        // What the queue itself stores (crc32c) is a known field.
        let stored = Data(try QueueRecord.encode(event(1), offset: 3).dropLast())
        #expect(try decoder.decode(Event.self, from: stored).offset == 3)
        #expect(try JSONDecoder().decode(Event.self, from: line).camera == "gate")
    }
}
