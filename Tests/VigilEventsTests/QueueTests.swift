import Foundation
import Testing
@testable import VigilEvents

func temporaryQueue() -> String {
    let path = NSTemporaryDirectory() + "vigil-queue-\(UUID().uuidString)"
    return path
}

func event(_ index: Int, camera: String = "gate") -> Event {
    Event(type: .manual, camera: camera, data: ["n": .int(Int64(index))])
}

func readAll(_ directory: String, from start: QueueStart = .earliest, log: @escaping (String) -> Void = { _ in }) throws -> [StoredRecord] {
    let reader = try QueueReader(directory: directory, from: start)
    reader.log = log
    var records: [StoredRecord] = []
    while let record = try reader.next() { records.append(record) }
    return records
}

@Suite("Queue: records")
struct RecordTests {
    @Test("a record round-trips and carries its offset and checksum")
    func roundTrip() throws {
        let original = Event(type: .lineCrossing, camera: "gate", frame: 12, pts: 0.48, line: "l", direction: "in",
                             track: 4, objectClass: .person, bbox: [0.1, 0.2, 0.05, 0.2], data: ["speed": .double(4.5)])
        let line = try QueueRecord.encode(original, offset: 77)
        #expect(line.last == UInt8(ascii: "\n"))
        let body = Array(line.dropLast())
        #expect(try QueueRecord.verify(body) == 77)
        var decoded = try QueueRecord.decode(body)
        #expect(decoded.offset == 77)
        decoded.offset = nil
        #expect(decoded == original)
    }

    @Test("any single flipped byte is detected")
    func corruption() throws {
        let body = Array(try QueueRecord.encode(event(1), offset: 5).dropLast())
        for index in stride(from: 0, to: body.count, by: 3) {
            var damaged = body
            damaged[index] ^= 0x20
            #expect(throws: (any Error).self) { try QueueRecord.verify(damaged) }
        }
        #expect(throws: (any Error).self) { try QueueRecord.verify(Array(body.prefix(body.count / 2))) }
    }

    @Test("CRC-32C matches the standard check value")
    func crcCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test("validation names the field", arguments: [
        (Event(type: .intrusion, camera: "gate", zone: "z"), "state"),
        (Event(type: .intrusion, camera: "gate", state: .start), "zone"),
        (Event(type: .lineCrossing, camera: "gate", line: "l"), "direction"),
        (Event(type: .manual, camera: "bad camera"), "camera"),
        (Event(type: .manual, camera: "gate", time: "yesterday"), "time"),
        (Event(type: .manual, camera: "gate", bbox: [0.1, 0.2, 1.5, 0.1]), "bbox"),
        (Event(type: .manual, camera: "gate", snapshot: "../etc/passwd"), "snapshot"),
        (Event(type: .cameraOnline, camera: "gate", state: .start), "state"),
    ])
    func validation(event: Event, field: String) {
        #expect(throws: EventValidationError.self) { try event.validate() }
        do { try event.validate() } catch let error as EventValidationError { #expect(error.field == field) } catch {}
    }

    @Test("times are ISO 8601 UTC with milliseconds")
    func times() {
        #expect(UTCTime.format(seconds: 0, milliseconds: 5) == "1970-01-01T00:00:00.005Z")
        #expect(UTCTime.isValid(UTCTime.now()))
        #expect(!UTCTime.isValid("2026-13-01T00:00:00Z"))
        #expect(UTCTime.isValid("2026-11-23T08:30:00Z"))
        #expect(UTCTime.epochSeconds("1970-01-02T00:00:01.500Z") == 86_401)
    }
}

@Suite("Queue: writing and reading")
struct QueueTests {
    @Test("offsets are gap-free across batches, writers and segments")
    func offsetsAcrossRotation() throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = QueueOptions()
        options.segmentBytes = 2_000
        let first = try QueueWriter(directory: directory, options: options)
        let second = try QueueWriter(directory: directory, options: options)
        var acknowledged: [UInt64] = []
        for round in 0..<20 {
            acknowledged += try (round % 2 == 0 ? first : second).append((0..<3).map { event(round * 3 + $0) })
        }
        #expect(acknowledged == Array(0..<60))
        let segments = try QueueLayout(directory: directory).segments()
        #expect(segments.count > 3, "rotation at 2 kB made \(segments.count) segments")
        #expect(segments.first == 0)
        let records = try readAll(directory)
        #expect(records.map(\.offset) == Array(0..<60))
        for (index, record) in records.enumerated() {
            #expect(try record.event().data?["n"] == .int(Int64(index)))
        }
    }

    @Test("a torn tail is repaired on open, reported, and the next offset follows the last whole record")
    func tornTail() throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try QueueWriter(directory: directory).append((0..<5).map { event($0) })
        let segment = QueueLayout(directory: directory).segmentPath(0)
        let whole = try Data(contentsOf: URL(fileURLWithPath: segment))
        // A crash in the middle of writing record 5.
        let partial = try QueueRecord.encode(event(5), offset: 5).prefix(40)
        try (whole + Data(partial)).write(to: URL(fileURLWithPath: segment))
        // Readers never return the partial record.
        #expect(try readAll(directory).map(\.offset) == Array(0..<5))
        var messages: [String] = []
        let writer = try QueueWriter(directory: directory, log: { messages.append($0) })
        #expect(messages.contains { $0.contains("repaired") && $0.contains("partial record") })
        #expect(try Data(contentsOf: URL(fileURLWithPath: segment)) == whole)
        #expect(try writer.append([event(5)]) == [5])
        #expect(try readAll(directory).map(\.offset) == Array(0..<6))
    }

    @Test("a reader waiting at a torn tail reads the records written after the repair")
    func readerAcrossRepair() throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try QueueWriter(directory: directory).append((0..<3).map { event($0) })
        let segment = QueueLayout(directory: directory).segmentPath(0)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: segment))
        handle.seekToEndOfFile()
        handle.write(Data("{\"camera\":\"torn\",\"data\":{\"payload\":\"yyyyyyyyyyyy".utf8))
        try handle.close()
        let reader = try QueueReader(directory: directory)
        var damaged: [String] = []
        reader.log = { damaged.append($0) }
        var offsets: [UInt64] = []
        while let record = try reader.next() { offsets.append(record.offset) }
        #expect(offsets == [0, 1, 2])
        try QueueWriter(directory: directory, log: { _ in }).append((3..<6).map { event($0) })
        while let record = try reader.next() { offsets.append(record.offset) }
        #expect(offsets == Array(0..<6))
        #expect(damaged.isEmpty, "\(damaged)")
    }

    @Test("a repair between two reads of a torn tail loses no record", arguments: [8, 16, 61])
    func repairBetweenReads(readSize: Int) throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try QueueWriter(directory: directory).append((0..<3).map { event($0) })
        let segment = QueueLayout(directory: directory).segmentPath(0)
        let wholeSize = try Data(contentsOf: URL(fileURLWithPath: segment)).count
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: segment))
        handle.seekToEndOfFile()
        handle.write(Data("{\"camera\":\"torn\",\"data\":{\"payload\":\"yyyyyyyyyyyy".utf8))
        try handle.close()
        let reader = try QueueReader(directory: directory)
        reader.readSize = readSize
        var damaged: [String] = []
        reader.log = { damaged.append($0) }
        // Once the reader holds some torn bytes, a writer repairs the tail and appends:
        // the reader's next read lands in the middle of the new records.
        var repaired = false
        reader.afterRead = { reached in
            guard !repaired, reached > wholeSize else { return }
            repaired = true
            _ = try? QueueWriter(directory: directory, log: { _ in }).append((3..<6).map { event($0) })
        }
        var offsets: [UInt64] = []
        while let record = try reader.next() { offsets.append(record.offset) }
        #expect(repaired)
        #expect(offsets == Array(0..<6))
        #expect(damaged.isEmpty, "\(damaged)")
    }

    @Test("a damaged record in the middle is skipped and reported, never returned")
    func damagedMiddle() throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try QueueWriter(directory: directory).append((0..<6).map { event($0) })
        let segment = QueueLayout(directory: directory).segmentPath(0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let thirdStart = lines[0].count + lines[1].count + 2
        bytes[thirdStart + 10] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: segment))
        var messages: [String] = []
        let records = try readAll(directory) { messages.append($0) }
        #expect(records.map(\.offset) == [0, 1, 3, 4, 5])
        #expect(messages.count == 1 && messages[0].contains("damaged"))
    }

    @Test("a failed write (disk full, read-only) leaves nothing behind and damages nothing", arguments: [ENOSPC, EROFS])
    func failedWrite(code: Int32) throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try QueueWriter(directory: directory)
        try writer.append((0..<3).map { event($0) })
        let before = try Data(contentsOf: URL(fileURLWithPath: QueueLayout(directory: directory).segmentPath(0)))
        // The device accepts half the batch, then fails, as a filling disk does.
        writer.writeHook = { descriptor, bytes in
            _ = write(descriptor, bytes.baseAddress!, bytes.count / 2)
            return code
        }
        do {
            try writer.append((3..<6).map { event($0) })
            Issue.record("the append should fail")
        } catch let error as QueueError {
            #expect(error.code == code)
            #expect(error.description.contains(code == ENOSPC ? "disk is full" : "read-only"))
        }
        let after = try Data(contentsOf: URL(fileURLWithPath: QueueLayout(directory: directory).segmentPath(0)))
        #expect(after == before)
        writer.writeHook = nil
        #expect(try writer.append([event(3)]) == [3])
        #expect(try readAll(directory).map(\.offset) == [0, 1, 2, 3])
    }

    @Test("transient failures are retried with back-off until the disk has room again")
    func retry() throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try QueueWriter(directory: directory)
        writer.log = { _ in }
        var failures = 3
        writer.writeHook = { descriptor, bytes in
            if failures > 0 { failures -= 1; return ENOSPC }
            return FileReading.writeAll(descriptor, bytes)
        }
        #expect(try writer.append([event(0)], retryingFor: 5) == [0])
        #expect(failures == 0)
        writer.writeHook = { _, _ in EROFS }
        #expect(throws: QueueError.self) { try writer.append([event(1)], retryingFor: 5) }
    }

    @Test("retention removes the oldest segments beyond the size limit, never the newest")
    func retentionBySize() throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = QueueOptions()
        options.segmentBytes = 1_000
        options.retentionBytes = 3_000
        let writer = try QueueWriter(directory: directory, options: options)
        writer.log = { _ in }
        for index in 0..<60 { try writer.append([event(index)]) }
        writer.applyRetention()
        let layout = QueueLayout(directory: directory)
        let segments = try layout.segments()
        let total = segments.compactMap { QueueLayout.fileSize(layout.segmentPath($0)) }.reduce(0, +)
        #expect(total <= 3_000 + 1_000)
        #expect(segments.first! > 0)
        let records = try readAll(directory)
        #expect(records.last?.offset == 59)
        #expect(records.map(\.offset) == Array(records.first!.offset...59))
    }

    @Test("retention by age removes segments whose last write is too old")
    func retentionByAge() throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = QueueOptions()
        options.segmentBytes = 600
        options.retentionSeconds = 3600
        let writer = try QueueWriter(directory: directory, options: options)
        writer.log = { _ in }
        for index in 0..<10 { try writer.append([event(index)]) }
        let layout = QueueLayout(directory: directory)
        let old = try layout.segments().dropLast()
        #expect(!old.isEmpty)
        for first in old {
            var times = [timespec(tv_sec: 1_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000, tv_nsec: 0)]
            utimensat(AT_FDCWD, layout.segmentPath(first), &times, 0)
        }
        writer.applyRetention()
        #expect(try layout.segments().count == 1)
    }

    @Test("a reader following the queue sees every record as writers append")
    func concurrentTail() throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = QueueOptions()
        options.segmentBytes = 4_000
        options.fsync = .interval(seconds: 0.05)
        _ = try QueueWriter(directory: directory, options: options)
        let reader = try QueueReader(directory: directory)
        // A thread of its own: the test pool's threads may all be busy with other suites.
        let finished = ConditionFlag()
        let writerOptions = options
        let writerThread = Thread {
            defer { finished.set() }
            guard let writer = try? QueueWriter(directory: directory, options: writerOptions) else { return }
            for index in 0..<300 { _ = try? writer.append([event(index)]) }
        }
        writerThread.start()
        var seen: [UInt64] = []
        let deadline = Date().addingTimeInterval(30)
        while seen.count < 300 && Date() < deadline {
            if let record = try reader.next() { seen.append(record.offset) } else { usleep(1_000) }
        }
        #expect(seen == Array(0..<300))
        #expect(reader.damagedRecords == 0)
        while !finished.isSet { usleep(1_000) }
    }

    @Test("reading from latest, from an offset, and a consumer group's committed position")
    func startsAndGroups() throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = QueueOptions()
        options.segmentBytes = 1_500
        let writer = try QueueWriter(directory: directory, options: options)
        for index in 0..<20 { try writer.append([event(index)]) }
        #expect(try readAll(directory, from: .latest).isEmpty)
        #expect(try readAll(directory, from: .offset(13)).map(\.offset) == Array(13..<20))
        let group = try ConsumerGroup(queueDirectory: directory, name: "ioc")
        #expect(try group.committed() == nil)
        try group.commit(7)
        #expect(try group.committed() == 7)
        #expect(ConsumerGroup.all(queueDirectory: directory) == ["ioc"])
        let status = try QueueInspector(directory: directory).status()
        #expect(status.firstOffset == 0 && status.lastOffset == 19)
        #expect(status.groups.first?.lag == 13)
    }

    @Test("snapshots are stored under the queue and referenced by a relative path")
    func snapshots() throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try QueueWriter(directory: directory)
        let path = try SnapshotStore(queueDirectory: directory).store([0xFF, 0xD8, 0xFF, 0xD9], eventID: "abc123", time: "2026-11-23T08:00:00.000Z")
        #expect(path == "snapshots/2026-11-23/abc123.jpg")
        #expect(FileManager.default.contents(atPath: directory + "/" + path) == Data([0xFF, 0xD8, 0xFF, 0xD9]))
        try Event(type: .manual, camera: "gate", snapshot: path).validate()
    }
}


@Suite("Queue: consumers and snapshot retention")
struct ConsumerTests {
    @Test("an in-process consumer resumes from its commit, and re-reads what it did not commit")
    func consumerResumes() throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try QueueWriter(directory: directory)
        try writer.append((0..<10).map { event($0) })
        let first = try QueueConsumer(directory: directory, group: "bridge")
        #expect(try first.poll(maximum: 4).map(\.offset) == [0, 1, 2, 3])
        try first.commit()
        #expect(try first.poll(maximum: 3).map(\.offset) == [4, 5, 6])
        // Crash before committing 4…6: a new consumer starts again at 4.
        let second = try QueueConsumer(directory: directory, group: "bridge")
        #expect(try second.poll().map(\.offset) == Array(4..<10))
        try second.commit()
        try writer.append([event(10)])
        #expect(try QueueConsumer(directory: directory, group: "bridge").poll().map(\.offset) == [10])
    }

    @Test("retention removes snapshots older than the first event still kept")
    func snapshotRetention() throws {
        let directory = temporaryQueue()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = QueueOptions()
        options.segmentBytes = 600
        options.retentionSeconds = 3600
        let writer = try QueueWriter(directory: directory, options: options, log: { _ in })
        let store = SnapshotStore(queueDirectory: directory)
        let old = try store.store([1, 2, 3], eventID: "old", time: "2020-01-01T00:00:00.000Z")
        let recent = try store.store([4, 5, 6], eventID: "recent", time: "2026-11-23T00:00:00.000Z")
        var times = [timespec(tv_sec: 1_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000, tv_nsec: 0)]
        utimensat(AT_FDCWD, directory + "/" + old, &times, 0)
        for index in 0..<10 { try writer.append([event(index)]) }
        let layout = QueueLayout(directory: directory)
        for first in try layout.segments().dropLast() { utimensat(AT_FDCWD, layout.segmentPath(first), &times, 0) }
        writer.applyRetention()
        #expect(!FileManager.default.fileExists(atPath: directory + "/" + old))
        #expect(FileManager.default.fileExists(atPath: directory + "/" + recent))
    }
}

/// A flag one thread sets and another polls.
final class ConditionFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
