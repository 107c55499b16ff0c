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

    /// A group that retention must wait for, and where it is.
    public struct Hold: Sendable, Equatable {
        public var name: String
        /// Its committed next offset (0 before its first commit: it holds everything).
        public var committed: UInt64
    }

    /// From now on retention keeps every segment this group has not consumed: for a consumer
    /// whose events exist nowhere else until it has sent them (the forwarder).
    public func hold() throws {
        // The consumer may start before any writer has made the queue.
        try QueueLayout.makeDirectory(layout.directory)
        try QueueLayout.makeDirectory(layout.holdsDirectory)
        let path = layout.holdsDirectory + "/" + name
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw QueueError(path: path, operation: "create the group's retention hold", code: errno) }
        close(descriptor)
        QueueLayout.syncDirectory(layout.holdsDirectory)
    }

    /// Lets retention delete what this group has not consumed (the consumer was retired).
    public func release() {
        unlink(layout.holdsDirectory + "/" + name)
    }

    /// The groups retention waits for, with their positions.
    public static func holds(queueDirectory: String) -> [Hold] {
        let layout = QueueLayout(directory: queueDirectory)
        return names(in: layout.holdsDirectory).map { name in
            let committed = (try? ConsumerGroup(queueDirectory: queueDirectory, name: name).committed()) ?? nil
            return Hold(name: name, committed: committed ?? 0)
        }
    }

    /// Every group with a committed offset.
    public static func all(queueDirectory: String) -> [String] {
        names(in: QueueLayout(directory: queueDirectory).groupsDirectory)
    }

    private static func names(in folder: String) -> [String] {
        guard let handle = opendir(folder) else { return [] }
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
