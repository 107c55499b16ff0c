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
        try FileReading.replaceDurably(path, with: Array("\(nextOffset)\n".utf8), what: "the group's offset")
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
