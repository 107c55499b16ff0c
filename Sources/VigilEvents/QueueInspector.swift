#if canImport(Glibc)
import Glibc
#endif

/// What `vigil queue stat` shows.
public struct QueueStatus: Sendable, Codable {
    public struct Segment: Sendable, Codable {
        public var name: String
        public var firstOffset: UInt64
        public var bytes: Int
    }
    public struct Group: Sendable, Codable {
        public var name: String
        public var committed: UInt64
        public var lag: UInt64
    }
    public var directory: String
    public var segments: [Segment]
    public var firstOffset: UInt64?
    public var lastOffset: UInt64?
    public var bytes: Int
    public var groups: [Group]
}

/// Reads a queue's shape without changing it.
public struct QueueInspector {
    public let directory: String
    let layout: QueueLayout

    public init(directory: String) {
        self.directory = directory
        layout = QueueLayout(directory: directory)
    }

    /// The offset the next appended record will get (what "latest" means).
    public func nextOffset() throws -> UInt64 {
        let segments = try layout.segments()
        guard let newest = segments.last else { return 0 }
        // The newest segment's highest whole, valid record: a repeated record at its end
        // (not yet repaired by a writer) does not move the end back.
        let path = layout.segmentPath(newest)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw QueueError(path: path, operation: "open the segment", code: errno) }
        defer { close(descriptor) }
        let tail = try SegmentTail.scan(descriptor, size: QueueLayout.fileSize(path) ?? 0, path: path)
        let order = try SegmentOrder.scan(descriptor, size: tail.validEnd, floor: newest, path: path)
        return max(order.highestOffset.map { $0 + 1 } ?? newest, newest)
    }

    /// The offset after the newest segment's last whole record, read from the segment's end
    /// only: cheap enough to ask every second, where `nextOffset()` reads the whole segment.
    public func endOffset() throws -> UInt64 {
        guard let newest = try layout.segments().last else { return 0 }
        let path = layout.segmentPath(newest)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw QueueError(path: path, operation: "open the segment", code: errno) }
        defer { close(descriptor) }
        let tail = try SegmentTail.scan(descriptor, size: QueueLayout.fileSize(path) ?? 0, path: path)
        return max(tail.lastOffset.map { $0 + 1 } ?? newest, newest)
    }

    public func status() throws -> QueueStatus {
        let firsts = try layout.segments()
        let segments = firsts.map {
            QueueStatus.Segment(name: QueueLayout.segmentName($0), firstOffset: $0, bytes: QueueLayout.fileSize(layout.segmentPath($0)) ?? 0)
        }
        let next = try nextOffset()
        var first: UInt64? = nil
        if let oldest = firsts.first {
            let reader = try QueueReader(directory: directory, from: .offset(oldest))
            reader.log = { _ in }
            first = try reader.next()?.offset
        }
        let groups = try ConsumerGroup.all(queueDirectory: directory).compactMap { name -> QueueStatus.Group? in
            guard let committed = try ConsumerGroup(queueDirectory: directory, name: name).committed() else { return nil }
            return QueueStatus.Group(name: name, committed: committed, lag: next > committed ? next - committed : 0)
        }
        return QueueStatus(directory: directory, segments: segments, firstOffset: first,
                           lastOffset: first == nil ? nil : next - 1, bytes: segments.reduce(0) { $0 + $1.bytes }, groups: groups)
    }
}
