#if canImport(Glibc)
import Glibc
#endif

/// Snapshot images kept under the queue folder (`snapshots/YYYY-MM-DD/ID.jpg`),
/// referenced from events by that relative path. Encoding happens elsewhere
/// (libavcodec, in the media module); this store only files the bytes durably.
public struct SnapshotStore: Sendable {
    public let queueDirectory: String

    public init(queueDirectory: String) { self.queueDirectory = queueDirectory }

    /// Stores `bytes` for an event and returns the path to put in its `snapshot` field.
    /// Written to a temporary name, synced and renamed: an event never points at half a picture.
    public func store(_ bytes: [UInt8], eventID: String, time: String, fileExtension: String = "jpg") throws -> String {
        guard Event.isIdentifier(eventID) else { throw EventValidationError(field: "id", message: "not usable as a file name") }
        let day = String(time.prefix(10))
        let relative = "snapshots/\(day)/\(eventID).\(fileExtension)"
        try QueueLayout.makeDirectory(queueDirectory + "/snapshots")
        try QueueLayout.makeDirectory(queueDirectory + "/snapshots/" + day)
        let path = queueDirectory + "/" + relative
        try FileReading.replaceDurably(path, with: bytes, what: "a snapshot")
        return relative
    }

    /// Removes snapshots and event clips last modified before `cutoff` (seconds since the
    /// epoch), and empty day folders.
    func removeSnapshots(olderThan cutoff: Int) {
        removeFiles(in: queueDirectory + "/snapshots", olderThan: cutoff)
        removeFiles(in: queueDirectory + "/clips", olderThan: cutoff)
    }

    private func removeFiles(in root: String, olderThan cutoff: Int) {
        for day in Self.entries(root) {
            let folder = root + "/" + day
            var remaining = 0
            for file in Self.entries(folder) {
                let path = folder + "/" + file
                if let time = QueueLayout.modificationTime(path), time < cutoff { unlink(path) } else { remaining += 1 }
            }
            if remaining == 0 { rmdir(folder) }
        }
    }

    static func entries(_ directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
