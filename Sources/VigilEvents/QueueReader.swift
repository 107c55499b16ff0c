#if canImport(Glibc)
import Glibc
#endif

/// Where a reader starts.
public enum QueueStart: Sendable, Equatable {
    case earliest
    /// After the last record present now: only new records.
    case latest
    case offset(UInt64)
}

/// One record read back: its offset and its line exactly as stored (without the newline).
public struct StoredRecord: Sendable {
    public var offset: UInt64
    public var line: [UInt8]
    public func event() throws -> Event { try QueueRecord.decode(line) }
}

/// Reads a queue in offset order while writers append. A line without its newline
/// at the end of the newest segment is a write in progress: the reader waits for it.
/// A damaged record is reported through `log` and skipped, never returned.
public final class QueueReader {
    public let directory: String
    let layout: QueueLayout
    private var segmentFirstOffset: UInt64?
    private var descriptor: Int32 = -1
    private var position = 0
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    /// The offset the next record should carry.
    public private(set) var nextOffset: UInt64 = 0
    public var log: (String) -> Void = { FileOutput.standardError("vigil queue: " + $0) }
    public private(set) var damagedRecords = 0
    private var unreadableSegment: UInt64?
    private var reportedUnreadable: Set<UInt64> = []
    /// Bytes asked for per read; tests make it small to stop a read inside a record.
    var readSize = 256 * 1024
    /// Called after every read with the file position reached; tests use it to change
    /// the file between two reads, as a writer repairing a torn tail would.
    var afterRead: ((Int) -> Void)?

    public init(directory: String, from start: QueueStart = .earliest) throws {
        self.directory = directory
        layout = QueueLayout(directory: directory)
        guard QueueLayout.fileSize(directory) != nil else {
            throw QueueError(path: directory, operation: "open the queue", code: ENOENT)
        }
        try seek(start)
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    public func seek(_ start: QueueStart) throws {
        let segments = try layout.segments()
        closeSegment()
        guard let first = segments.first else { nextOffset = 0; return }
        switch start {
        case .earliest:
            openSegment(first)
            nextOffset = first
        case .latest:
            let end = try QueueInspector(directory: directory).nextOffset()
            openSegment(segments.last { $0 <= end } ?? first)
            try skip(until: end)
        case let .offset(target):
            openSegment(segments.last { $0 <= target } ?? first)
            nextOffset = segmentFirstOffset ?? unreadableSegment ?? 0
            try skip(until: target)
        }
    }

    private func skip(until target: UInt64) throws {
        while nextOffset < target, let record = try next() {
            if record.offset + 1 >= target { break }
        }
        if nextOffset < target { nextOffset = target }
    }

    /// The next whole record, or nil when the reader has caught up with the writers.
    public func next() throws -> StoredRecord? {
        while true {
            if segmentFirstOffset == nil {
                let segments = try layout.segments()
                if let unreadable = unreadableSegment {
                    unreadableSegment = nil
                    guard let following = segments.first(where: { $0 > unreadable }) else { return nil }
                    nextOffset = max(nextOffset, following)
                }
                guard let first = segments.first(where: { $0 >= nextOffset }) ?? segments.last else { return nil }
                if first > nextOffset && nextOffset > 0 && first != segments.first {
                    // Retention removes the oldest segments only; an older one is still here.
                    log("offsets \(nextOffset)…\(first - 1) are missing from the queue: their segment was deleted while older ones remain (not retention)")
                    nextOffset = first
                }
                openSegment(first)
                continue
            }
            if let newline = buffer[bufferStart...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[bufferStart..<newline])
                bufferStart = newline + 1
                let offset: UInt64
                do {
                    offset = try QueueRecord.verify(line)
                } catch {
                    // The start of this line may be torn bytes read just before a writer
                    // truncated them and wrote a whole record in their place; the rest came
                    // from that record. If the file no longer holds what was read, read the
                    // line again instead of skipping a record that is whole on disk.
                    let lineStart = position - (buffer.count - (newline + 1)) - line.count - 1
                    if FileReading.read(descriptor, at: lineStart, count: line.count + 1) != line + [UInt8(ascii: "\n")] {
                        position = lineStart
                        buffer.removeAll(keepingCapacity: true)
                        bufferStart = 0
                        continue
                    }
                    damagedRecords += 1
                    log("\(QueueLayout.segmentName(segmentFirstOffset ?? 0)): skipped a damaged record after offset \(nextOffset == 0 ? "start" : String(nextOffset - 1)) (\(error))")
                    continue
                }
                if offset < nextOffset { continue }  // before the requested start
                nextOffset = offset + 1
                return StoredRecord(offset: offset, line: line)
            }
            // No whole line buffered: read more of this segment.
            if bufferStart > 0 { buffer.removeFirst(bufferStart); bufferStart = 0 }
            guard let chunk = FileReading.read(descriptor, at: position, count: readSize) else {
                markUnreadable(segmentFirstOffset ?? 0, code: errno)
                continue
            }
            afterRead?(position + chunk.count)
            if !chunk.isEmpty {
                position += chunk.count
                buffer.append(contentsOf: chunk)
                continue
            }
            // Keep no unfinished bytes across the end of the file: a writer may repair
            // (truncate) them away and append whole records in their place, so the
            // next read starts again where the unfinished line began.
            position -= buffer.count
            buffer.removeAll(keepingCapacity: true)
            // End of this segment. Move on only if a newer one exists: then this one is complete.
            let segments = try layout.segments()
            guard let following = segments.first(where: { $0 > (segmentFirstOffset ?? 0) }) else { return nil }
            let unfinished = (QueueLayout.fileSize(layout.segmentPath(segmentFirstOffset ?? 0)) ?? position) - position
            if unfinished > 0 {
                damagedRecords += 1
                log("\(QueueLayout.segmentName(segmentFirstOffset ?? 0)): skipped \(unfinished) byte(s) of an unfinished record at its end")
            }
            if following > nextOffset {
                // This segment is still here, so retention (oldest first) did not take them.
                log("offsets \(nextOffset)…\(following - 1) are missing from the queue: \(QueueLayout.segmentName(segmentFirstOffset ?? 0)) ends before them and the next segment starts at \(following) (a segment was truncated, emptied or deleted; retention only removes the oldest)")
            }
            openSegment(following)
        }
    }

    /// Opens a segment; one that cannot be opened is left for `next()` to step over.
    private func openSegment(_ firstOffset: UInt64) {
        closeSegment()
        let path = layout.segmentPath(firstOffset)
        descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            // Retention may have removed it between listing and opening.
            if errno != ENOENT { markUnreadable(firstOffset, code: errno) }
            return
        }
        var status = stat()
        if fstat(descriptor, &status) != 0 || (status.st_mode & S_IFMT) != S_IFREG {
            markUnreadable(firstOffset, code: (status.st_mode & S_IFMT) == S_IFDIR ? EISDIR : EINVAL)
            return
        }
        segmentFirstOffset = firstOffset
        if nextOffset < firstOffset { nextOffset = firstOffset }
    }

    /// A segment that cannot be read (permissions, a folder or a link loop in its place,
    /// an I/O error) is reported once and skipped: the records around it stay readable.
    private func markUnreadable(_ firstOffset: UInt64, code: Int32) {
        closeSegment()
        unreadableSegment = firstOffset
        if nextOffset < firstOffset { nextOffset = firstOffset }
        if !reportedUnreadable.contains(firstOffset) {
            reportedUnreadable.insert(firstOffset)
            let error = QueueError(path: layout.segmentPath(firstOffset), operation: "read the segment", code: code)
            log("\(error); skipped its records and read on")
        }
    }

    private func closeSegment() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        segmentFirstOffset = nil
        position = 0
        buffer.removeAll(keepingCapacity: true)
        bufferStart = 0
    }
}
