#if canImport(Glibc)
import Glibc
#endif

/// How a writer makes records durable and how long the queue keeps them.
public struct QueueOptions: Sendable {
    public enum Fsync: Sendable, Equatable {
        /// fsync before `append` returns: an acknowledged record survives power loss.
        case always
        /// fsync at most this often (group commit): far faster, a crash of the machine
        /// (not of the process) may lose the last interval.
        case interval(seconds: Double)
    }
    public var fsync: Fsync = .always
    /// A new segment starts once the current one would grow past this.
    public var segmentBytes: Int = 64 << 20
    /// Segments whose newest record is older than this are deleted (nil: kept).
    public var retentionSeconds: Double? = nil
    /// Oldest segments are deleted while the queue is larger than this (nil: no limit).
    public var retentionBytes: Int? = nil

    public init() {}
}

/// Appends events to a queue folder. Any number of writers, in any number of
/// processes, may append to the same queue: each append takes an exclusive flock,
/// finds the true end of the newest segment (repairing a torn tail a crashed writer
/// left), writes the whole batch with one write(2), and syncs per the fsync policy.
public final class QueueWriter {
    public let directory: String
    public let options: QueueOptions
    let layout: QueueLayout
    private let lockDescriptor: Int32
    private var segmentDescriptor: Int32 = -1
    private var segmentFirstOffset: UInt64 = 0
    /// What this writer last saw: if the segment still has this size, nobody else appended.
    private var knownSize = -1
    private var knownNextOffset: UInt64 = 0
    /// The open segment's offsets were read front to back since it was opened.
    private var orderChecked = false
    private var lastSync = MonotonicSeconds.now()
    private var appendsSinceRetention = 0
    private var lastHeldReport = -Double.infinity

    /// Called with a message when the writer repairs or reports something an operator should know.
    public var log: (String) -> Void

    /// Test hook: replaces write(2) so disk-full and read-only failures can be injected.
    var writeHook: ((Int32, UnsafeRawBufferPointer) -> Int32?)? = nil

    public init(directory: String, options: QueueOptions = QueueOptions(),
                log: @escaping (String) -> Void = { FileOutput.standardError("vigil queue: " + $0) }) throws {
        self.directory = directory
        self.options = options
        self.log = log
        layout = QueueLayout(directory: directory)
        try QueueLayout.makeDirectory(directory)
        lockDescriptor = open(layout.lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockDescriptor >= 0 else { throw QueueError(path: layout.lockPath, operation: "open the queue lock", code: errno) }
        // Repair a torn tail now, so it is reported when the writer starts, not at the first event.
        try withLock { _ = try self.prepareSegment(incoming: 0) }
        // And retention, which otherwise runs every few hundred appends: a writer that starts
        // (a restarted worker, a one-off append) frees what became deletable while none ran.
        applyRetention()
    }

    deinit {
        if segmentDescriptor >= 0 {
            if case .interval = options.fsync { fdatasync(segmentDescriptor) }
            close(segmentDescriptor)
        }
        close(lockDescriptor)
    }

    /// Appends events in order and returns their offsets. When it returns, the records
    /// are written (and, with fsync `always`, on disk). On error nothing of the batch
    /// remains and nothing earlier is touched.
    @discardableResult
    public func append(_ events: [Event]) throws -> [UInt64] {
        guard !events.isEmpty else { return [] }
        return try withLock {
            // Encode once to know the size for rotation; offsets are fixed after preparing.
            var estimate = 0
            var encoded: [[UInt8]] = []
            encoded.reserveCapacity(events.count)
            let start = try self.prepareSegment(incoming: events.count * 256)
            var offset = start
            for event in events {
                let line = try QueueRecord.encode(event, offset: offset)
                estimate += line.count
                encoded.append(line)
                offset += 1
            }
            var batch: [UInt8] = []
            batch.reserveCapacity(estimate)
            for line in encoded { batch.append(contentsOf: line) }
            let sizeBefore = self.knownSize
            let failure = batch.withUnsafeBytes { bytes in
                self.writeHook.map { $0(self.segmentDescriptor, bytes) } ?? FileReading.writeAll(self.segmentDescriptor, bytes)
            }
            if let failure {
                // Take back whatever part of the batch reached the file.
                _ = ftruncate(self.segmentDescriptor, off_t(sizeBefore))
                self.knownSize = -1
                throw QueueError(path: self.layout.segmentPath(self.segmentFirstOffset), operation: "append \(events.count) event(s)", code: failure)
            }
            try self.syncIfDue(force: false)
            self.knownSize = sizeBefore + batch.count
            self.knownNextOffset = offset
            self.appendsSinceRetention += 1
            if self.appendsSinceRetention >= 256 { self.appendsSinceRetention = 0; self.applyRetention() }
            return Array(start..<offset)
        }
    }

    /// Appends, retrying transient failures (disk full, I/O errors) with exponential
    /// back-off until `deadline` seconds have passed.
    @discardableResult
    public func append(_ events: [Event], retryingFor deadline: Double) throws -> [UInt64] {
        let started = MonotonicSeconds.now()
        var delay = 0.05
        while true {
            do {
                return try append(events)
            } catch let error as QueueError where error.isTransient && MonotonicSeconds.now() - started + delay < deadline {
                log("\(error); retrying in \(delay) s")
                usleep(UInt32(delay * 1_000_000))
                delay = min(delay * 2, 5)
            }
        }
    }

    /// Makes every appended record durable now (for `interval` policy and shutdown).
    public func sync() throws {
        try withLock { try self.syncIfDue(force: true) }
    }

    // MARK: - Under the lock

    private func withLock<T>(_ body: () throws -> T) throws -> T {
        while flock(lockDescriptor, LOCK_EX) != 0 {
            if errno != EINTR { throw QueueError(path: layout.lockPath, operation: "lock the queue", code: errno) }
        }
        defer { flock(lockDescriptor, LOCK_UN) }
        return try body()
    }

    private func syncIfDue(force: Bool) throws {
        guard segmentDescriptor >= 0 else { return }
        let due: Bool
        switch options.fsync {
        case .always: due = true
        case let .interval(seconds): due = force || MonotonicSeconds.now() - lastSync >= seconds
        }
        guard due else { return }
        if fdatasync(segmentDescriptor) != 0 {
            throw QueueError(path: layout.segmentPath(segmentFirstOffset), operation: "sync to disk", code: errno)
        }
        lastSync = MonotonicSeconds.now()
    }

    /// Opens the newest segment (creating or rotating as needed), makes sure its end is
    /// a whole record, and returns the next offset.
    private func prepareSegment(incoming: Int) throws -> UInt64 {
        let segments = try layout.segments()
        let newest = segments.last ?? 0
        if segments.isEmpty || newest != segmentFirstOffset || segmentDescriptor < 0 {
            try openSegment(newest, create: segments.isEmpty)
        }
        var status = stat()
        guard fstat(segmentDescriptor, &status) == 0 else {
            throw QueueError(path: layout.segmentPath(segmentFirstOffset), operation: "read the segment's size", code: errno)
        }
        let size = Int(status.st_size)
        var next = knownNextOffset
        if size != knownSize {
            next = try recoverTail(size: size)
        }
        if knownSize > 0 && knownSize + incoming > options.segmentBytes {
            // Everything in the old segment is complete: make it durable before moving on.
            _ = fdatasync(segmentDescriptor)
            try openSegment(next, create: true)
            knownSize = 0
            knownNextOffset = next
        }
        return next
    }

    private func openSegment(_ firstOffset: UInt64, create: Bool) throws {
        if segmentDescriptor >= 0 { close(segmentDescriptor) }
        let path = layout.segmentPath(firstOffset)
        segmentDescriptor = open(path, O_RDWR | O_APPEND | O_CLOEXEC | (create ? O_CREAT : 0), 0o644)
        guard segmentDescriptor >= 0 else { throw QueueError(path: path, operation: "open the segment", code: errno) }
        if create { QueueLayout.syncDirectory(directory) }
        segmentFirstOffset = firstOffset
        knownSize = -1
        orderChecked = create
        knownNextOffset = firstOffset
    }

    /// Finds the last whole, valid record of the current segment; truncates anything
    /// after it (a crashed writer's partial record) and reports it. The next offset is
    /// one past the highest offset in the segment, never one that exists already.
    private func recoverTail(size: Int) throws -> UInt64 {
        let path = layout.segmentPath(segmentFirstOffset)
        let tail = try SegmentTail.scan(segmentDescriptor, size: size, path: path)
        var end = tail.validEnd
        if let cutReason = tail.damage {
            let removed = size - end
            guard ftruncate(segmentDescriptor, off_t(end)) == 0 else {
                throw QueueError(path: path, operation: "repair the segment's end", code: errno)
            }
            _ = fdatasync(segmentDescriptor)
            log("repaired \(QueueLayout.segmentName(segmentFirstOffset)): removed \(removed) byte(s) at its end (\(cutReason)) left by an interrupted write")
        }
        var next = tail.lastOffset.map { $0 + 1 } ?? segmentFirstOffset
        // Every append checks the end it builds on: the last record must be the highest this
        // writer knows of and above the one before it. Otherwise (and once per opened
        // segment) the whole segment is read to find its real end.
        let suspicious = !orderChecked
            || (tail.lastOffset.map { $0 < segmentFirstOffset } ?? false)
            || (tail.previousOffset != nil && tail.lastOffset != nil && tail.previousOffset! >= tail.lastOffset!)
            || next < knownNextOffset
        if suspicious {
            let order = try SegmentOrder.scan(segmentDescriptor, size: end, floor: segmentFirstOffset, path: path)
            if let repeatStart = order.repeatedTailStart {
                try quarantine(from: repeatStart, to: end, records: order.repeatedTailRecords, highest: order.highestOffset)
                end = repeatStart
            }
            if order.repeatedInside > 0 {
                log("\(QueueLayout.segmentName(segmentFirstOffset)): \(order.repeatedInside) record(s) repeat earlier offsets and are followed by newer ones; readers skip them")
            }
            if order.missingOffsets > 0 {
                log("\(QueueLayout.segmentName(segmentFirstOffset)): \(order.missingOffsets) offset(s) are missing between its records")
            }
            next = max(order.highestOffset.map { $0 + 1 } ?? segmentFirstOffset, segmentFirstOffset)
            orderChecked = true
        }
        knownSize = end
        knownNextOffset = max(next, knownNextOffset)
        return knownNextOffset
    }

    /// Moves a segment's trailing repeated records into quarantine/ (kept for an operator,
    /// never read as events) and cuts them off the segment.
    private func quarantine(from start: Int, to end: Int, records: Int, highest: UInt64?) throws {
        let path = layout.segmentPath(segmentFirstOffset)
        guard let bytes = FileReading.read(segmentDescriptor, at: start, count: end - start) else {
            throw QueueError(path: path, operation: "read the segment", code: errno)
        }
        try QueueLayout.makeDirectory(layout.quarantineDirectory)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let name = QueueLayout.segmentName(segmentFirstOffset).dropLast(QueueLayout.segmentSuffix.count) + ".repeated-\(now.tv_sec)-\(getpid()).jsonl"
        let kept = layout.quarantineDirectory + "/" + name
        try FileReading.replaceDurably(kept, with: bytes, what: "the quarantined records")
        QueueLayout.syncDirectory(layout.quarantineDirectory)
        guard ftruncate(segmentDescriptor, off_t(start)) == 0 else {
            throw QueueError(path: path, operation: "remove repeated records from the segment's end", code: errno)
        }
        _ = fdatasync(segmentDescriptor)
        log("repaired \(QueueLayout.segmentName(segmentFirstOffset)): its last \(records) record(s) repeat offsets already in the queue (up to \(highest.map(String.init) ?? "none")); moved them to quarantine/\(name), the next offset is \(max(highest.map { $0 + 1 } ?? 0, segmentFirstOffset))")
    }
    /// Deletes old segments (never the newest) and snapshots older than what remains. A
    /// segment a holding group (the forwarder) has not consumed yet is kept, and said so:
    /// retention waits rather than losing events nobody has sent on.
    func applyRetention() {
        guard options.retentionSeconds != nil || options.retentionBytes != nil,
              let segments = try? layout.segments(), segments.count > 1 else { return }
        var sizes = segments.map { QueueLayout.fileSize(layout.segmentPath($0)) ?? 0 }
        var total = sizes.reduce(0, +)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let holds = ConsumerGroup.holds(queueDirectory: directory)
        var removed = 0
        for (index, first) in segments.dropLast().enumerated() {
            let path = layout.segmentPath(first)
            let tooOld = options.retentionSeconds.map { limit in
                Double(Int(now.tv_sec) - (QueueLayout.modificationTime(path) ?? Int(now.tv_sec))) > limit
            } ?? false
            let tooBig = options.retentionBytes.map { total > $0 } ?? false
            guard tooOld || tooBig else { break }
            // Every record of this segment is below the next segment's first offset.
            if let waiting = holds.first(where: { $0.committed < segments[index + 1] }) {
                reportHeld(group: waiting, segments: segments.count - 1 - index, bytes: sizes[index...].dropLast().reduce(0, +))
                break
            }
            if unlink(path) == 0 {
                total -= sizes[index]
                sizes[index] = 0
                removed += 1
            }
        }
        if removed > 0 {
            log("retention removed \(removed) old segment(s)")
            // Snapshots older than the first event still kept belong to removed events. A
            // minute's margin covers a snapshot filed just before its event, and clock skew.
            if let oldest = try? layout.segments().first,
               let reader = try? QueueReader(directory: directory, from: .offset(oldest)),
               let first = try? reader.next(), let event = try? first.event(), let seconds = UTCTime.epochSeconds(event.time) {
                SnapshotStore(queueDirectory: directory).removeSnapshots(olderThan: seconds - 60)
            }
        }
    }

    /// Loud, but once a minute per writer: retention runs on every few appends.
    private func reportHeld(group: ConsumerGroup.Hold, segments: Int, bytes: Int) {
        let now = MonotonicSeconds.now()
        guard now - lastHeldReport >= 60 else { return }
        lastHeldReport = now
        log("RETENTION IS WAITING: \(segments) segment(s) (\(bytes >> 20) MiB) are due for deletion but group '\(group.name)' has not sent them yet (it is at offset \(group.committed)); they are kept, not lost. Is `vigil forward` running and the database reachable? The queue grows until it catches up.")
    }
}

enum MonotonicSeconds {
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

public enum FileOutput {
    /// Unbuffered write of all of `bytes`; false if the descriptor was closed (a reader went away).
    public static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        FileReading.writeAll(descriptor, bytes) == nil
    }

    /// Unbuffered write to stderr.
    public static func standardError(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        _ = Array(line.utf8).withUnsafeBytes { FileReading.writeAll(STDERR_FILENO, $0) }
    }
}
