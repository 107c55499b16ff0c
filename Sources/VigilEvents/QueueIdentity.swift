#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials

/// The queue's identity: a UUID made once, when first asked for, and kept in the queue folder.
/// Offsets start again at 0 in a new queue; the identity tells the two apart, so (site,
/// identity, offset) names one event for good, wherever it is copied.
public enum QueueIdentity {
    public static func of(queueDirectory: String) throws -> UUID {
        let layout = QueueLayout(directory: queueDirectory)
        if let existing = try read(layout.identityPath) { return existing }
        try QueueLayout.makeDirectory(queueDirectory)
        // Written aside, then linked into place: link(2) fails if another process was first,
        // and then its identity is the one everybody uses.
        let made = UUID()
        let temporary = layout.identityPath + ".tmp.\(getpid())"
        try FileReading.replaceDurably(temporary, with: Array((made.uuidString.lowercased() + "\n").utf8), what: "the queue's identity")
        defer { unlink(temporary) }
        if link(temporary, layout.identityPath) != 0 && errno != EEXIST {
            throw QueueError(path: layout.identityPath, operation: "create the queue's identity", code: errno)
        }
        QueueLayout.syncDirectory(queueDirectory)
        guard let identity = try read(layout.identityPath) else {
            throw QueueError(path: layout.identityPath, operation: "read the queue's identity", code: EINVAL)
        }
        return identity
    }

    private static func read(_ path: String) throws -> UUID? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw QueueError(path: path, operation: "read the queue's identity", code: errno)
        }
        defer { close(descriptor) }
        let text = String(decoding: FileReading.read(descriptor, at: 0, count: 64) ?? [], as: UTF8.self).trimmingNewline()
        guard let identity = UUID(uuidString: text) else {
            throw QueueError(path: path, operation: "read the queue's identity (content '\(text)')", code: EINVAL)
        }
        return identity
    }
}
