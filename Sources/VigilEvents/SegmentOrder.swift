#if canImport(Glibc)
import Glibc
#endif

/// The order of offsets in one segment, read front to back.
///
/// Offsets only ever grow, so a record whose offset is not above every offset before it
/// is a repeat: a restored backup or a copy mistake put it there. Readers skip repeats;
/// a writer that took the last record's offset as the end would hand out offsets that
/// already exist, acknowledged but never seen by any reader. This finds the true end.
struct SegmentOrder: Equatable {
    /// The highest offset of any valid record, nil when the segment holds none.
    var highestOffset: UInt64?
    /// Where the trailing run of repeated records starts (bytes), nil when the
    /// segment ends with its highest record.
    var repeatedTailStart: Int?
    /// Records in that trailing run.
    var repeatedTailRecords = 0
    /// Repeated records followed by newer ones: left in place (readers skip them).
    var repeatedInside = 0
    /// Offsets missing between two records that follow each other.
    var missingOffsets: UInt64 = 0

    /// Scans the first `size` bytes, which end on a record boundary (`SegmentTail.validEnd`).
    /// Records below `floor` (the segment's first offset, from its name) are repeats too.
    static func scan(_ descriptor: Int32, size: Int, floor: UInt64, path: String) throws -> SegmentOrder {
        var order = SegmentOrder()
        var position = 0
        var carry: [UInt8] = []
        var runStart: Int? = nil
        var runRecords = 0
        let chunkSize = 1 << 20
        while position < size {
            guard let chunk = FileReading.read(descriptor, at: position, count: min(chunkSize, size - position)), !chunk.isEmpty else {
                throw QueueError(path: path, operation: "read the segment", code: errno == 0 ? EIO : errno)
            }
            let chunkStart = position - carry.count
            carry.append(contentsOf: chunk)
            position += chunk.count
            var lineStart = 0
            carry.withUnsafeBytes { bytes in
                while let newline = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
                    let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<newline])
                    if let offset = try? QueueRecord.verify(line) {
                        if offset < floor || order.highestOffset.map({ offset <= $0 }) == true {
                            if runStart == nil { runStart = chunkStart + lineStart }
                            runRecords += 1
                        } else {
                            order.repeatedInside += runRecords
                            if let highest = order.highestOffset, offset > highest + 1 { order.missingOffsets += offset - highest - 1 }
                            runStart = nil
                            runRecords = 0
                            order.highestOffset = offset
                        }
                    }
                    lineStart = newline + 1
                }
            }
            carry.removeFirst(lineStart)
        }
        order.repeatedTailStart = runStart
        order.repeatedTailRecords = runRecords
        return order
    }
}
