#if canImport(Glibc)
import Glibc
#endif

/// Where things live in a queue folder:
///
///     00000000000000000000.jsonl   segments, named by their first offset
///     00000000000000052311.jsonl
///     groups/NAME                  a consumer group's next offset, replaced atomically
///     snapshots/…                  JPEG snapshots referenced by events
///     quarantine/…                 repeated records a writer removed from a segment's end
///     holds/NAME                   group NAME must consume a segment before retention deletes it
///     identity                     the queue's UUID: with an offset, a key unique across hosts
///     .lock                        writers take an exclusive flock on it
struct QueueLayout {
    let directory: String

    static let segmentSuffix = ".jsonl"

    var lockPath: String { directory + "/.lock" }
    var groupsDirectory: String { directory + "/groups" }
    var snapshotsDirectory: String { directory + "/snapshots" }
    /// Records a writer took out of a segment's end because they repeat earlier offsets.
    var quarantineDirectory: String { directory + "/quarantine" }
    var holdsDirectory: String { directory + "/holds" }
    var identityPath: String { directory + "/identity" }

    func segmentPath(_ firstOffset: UInt64) -> String { directory + "/" + Self.segmentName(firstOffset) }

    static func segmentName(_ firstOffset: UInt64) -> String {
        let digits = String(firstOffset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + segmentSuffix
    }

    /// First offsets of every segment, ascending.
    func segments() throws -> [UInt64] {
        guard let handle = opendir(directory) else { throw QueueError(path: directory, operation: "list the queue", code: errno) }
        defer { closedir(handle) }
        var offsets: [UInt64] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.count == 20 + Self.segmentSuffix.count, name.hasSuffix(Self.segmentSuffix),
                  let offset = UInt64(name.prefix(20)) else { continue }
            offsets.append(offset)
        }
        return offsets.sorted()
    }

    static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw QueueError(path: path, operation: "create the folder", code: errno) }
    }

    static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    static func fileSize(_ path: String) -> Int? {
        var status = stat()
        return stat(path, &status) == 0 ? Int(status.st_size) : nil
    }

    static func modificationTime(_ path: String) -> Int? {
        var status = stat()
        return stat(path, &status) == 0 ? Int(status.st_mtim.tv_sec) : nil
    }
}

/// The end of a segment as far as whole, valid records go.
struct SegmentTail {
    /// Byte length up to and including the last valid record's newline.
    var validEnd: Int
    /// Offset of that record, nil when the segment holds none.
    var lastOffset: UInt64?
    /// Why bytes after `validEnd` are not records, nil when there are none.
    var damage: String?
    /// Offset of the valid record just before the last, when it lies in the bytes read.
    var previousOffset: UInt64? = nil

    /// Walks back from `size` to the last whole record whose checksum holds.
    static func scan(_ descriptor: Int32, size: Int, path: String) throws -> SegmentTail {
        var end = size
        var damage: String? = nil
        var window = 64 * 1024
        while end > 0 {
            let start = max(0, end - window)
            guard let chunk = FileReading.read(descriptor, at: start, count: end - start) else {
                throw QueueError(path: path, operation: "read the segment", code: errno)
            }
            // The data must end with a newline; anything after the last one is torn.
            guard let lastNewline = chunk.lastIndex(of: UInt8(ascii: "\n")) else {
                if start == 0 { return SegmentTail(validEnd: 0, lastOffset: nil, damage: damage ?? "a partial record") }
                window *= 2
                continue
            }
            if lastNewline != chunk.count - 1 {
                damage = damage ?? "a partial record of \(chunk.count - 1 - lastNewline) bytes"
                end = start + lastNewline + 1
                continue
            }
            let previousNewline = chunk[..<lastNewline].lastIndex(of: UInt8(ascii: "\n"))
            if previousNewline == nil && start > 0 { window *= 2; continue }
            let lineStart = previousNewline.map { $0 + 1 } ?? 0
            if let offset = try? QueueRecord.verify(Array(chunk[lineStart..<lastNewline])) {
                var previous: UInt64? = nil
                if lineStart > 0 {
                    let before = chunk[..<(lineStart - 1)].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? (start == 0 ? 0 : nil)
                    if let before { previous = try? QueueRecord.verify(Array(chunk[before..<(lineStart - 1)])) }
                }
                return SegmentTail(validEnd: end, lastOffset: offset, damage: damage, previousOffset: previous)
            }
            damage = damage ?? "a damaged record"
            end = start + lineStart
        }
        return SegmentTail(validEnd: 0, lastOffset: nil, damage: damage)
    }
}

/// Reads the whole of a small file, or a range of a large one, retrying short reads.
enum FileReading {
    static func read(_ descriptor: Int32, at offset: Int, count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let result = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if result < 0 { if errno == EINTR { continue }; return nil }
            if result == 0 { break }
            done += result
        }
        buffer.removeLast(count - done)
        return buffer
    }

    /// Writes `bytes` to a temporary file, syncs it and renames it over `path`, so
    /// readers see the old content or the new, never a part. `what` names it in errors.
    static func replaceDurably(_ path: String, with bytes: [UInt8], what: String) throws {
        let temporary = path + ".tmp.\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw QueueError(path: temporary, operation: "write \(what)", code: errno) }
        let failure = bytes.withUnsafeBytes { writeAll(descriptor, $0) }
        let synced = fsync(descriptor) == 0
        let syncError = errno
        close(descriptor)
        if let failure { unlink(temporary); throw QueueError(path: path, operation: "write \(what)", code: failure) }
        if !synced { unlink(temporary); throw QueueError(path: path, operation: "sync \(what)", code: syncError) }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw QueueError(path: path, operation: "store \(what)", code: code)
        }
    }

    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        var done = 0
        while done < bytes.count {
            let result = write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if result < 0 { if errno == EINTR { continue }; return errno }
            done += result
        }
        return nil
    }
}
