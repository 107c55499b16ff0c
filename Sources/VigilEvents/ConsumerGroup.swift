#if canImport(Glibc)
import Glibc
#endif

/// A named consumer's position: the next offset it has not yet processed, written
/// by atomic rename so a crash leaves either the old or the new value, never half.
public struct ConsumerGroup: Sendable {
    public let name: String
    let layout: QueueLayout

    public init(queueDirectory: String, name: String) throws {
        guard Event.isIdentifier(name) else {
            throw EventValidationError(field: "group", message: "use letters, digits, '-', '_' or '.', found '\(name)'")
        }
        self.name = name
        layout = QueueLayout(directory: queueDirectory)
    }

    var path: String { layout.groupsDirectory + "/" + name }

    /// The committed next offset, nil if the group never committed.
    public func committed() throws -> UInt64? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw QueueError(path: path, operation: "read the group's offset", code: errno)
        }
        defer { close(descriptor) }
        let bytes = FileReading.read(descriptor, at: 0, count: 64) ?? []
        let text = String(decoding: bytes, as: UTF8.self).trimmingNewline()
        guard let value = UInt64(text) else {
            throw QueueError(path: path, operation: "read the group's offset (content '\(text)')", code: EINVAL)
        }
        return value
    }

    /// Records that every offset below `nextOffset` has been processed.
    public func commit(_ nextOffset: UInt64) throws {
        try QueueLayout.makeDirectory(layout.groupsDirectory)
        let temporary = path + ".tmp.\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw QueueError(path: temporary, operation: "write the group's offset", code: errno) }
        let failure = Array("\(nextOffset)\n".utf8).withUnsafeBytes { FileReading.writeAll(descriptor, $0) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        if let failure { unlink(temporary); throw QueueError(path: temporary, operation: "write the group's offset", code: failure) }
        if !synced { unlink(temporary); throw QueueError(path: temporary, operation: "sync the group's offset", code: errno) }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw QueueError(path: path, operation: "commit the group's offset", code: code)
        }
        QueueLayout.syncDirectory(layout.groupsDirectory)
    }

    /// Every group with a committed offset.
    public static func all(queueDirectory: String) -> [String] {
        let layout = QueueLayout(directory: queueDirectory)
        guard let handle = opendir(layout.groupsDirectory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if Event.isIdentifier(name) && !name.hasPrefix(".") && !name.contains(".tmp.") { names.append(name) }
        }
        return names.sorted()
    }
}

extension String {
    func trimmingNewline() -> String {
        var text = self
        while text.last == "\n" || text.last == "\r" || text.last == " " { text.removeLast() }
        return text
    }
}
