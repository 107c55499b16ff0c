#if canImport(Glibc)
import Glibc
#endif

/// A queue operation that failed; nothing already written is damaged by it.
public struct QueueError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var code: Int32

    public init(path: String, operation: String, code: Int32) {
        self.path = path; self.operation = operation; self.code = code
    }

    /// Disk full, quota, or a device error: worth retrying later.
    public var isTransient: Bool { code == ENOSPC || code == EDQUOT || code == EIO || code == EAGAIN || code == EINTR }

    public var description: String {
        let reason: String
        switch code {
        case ENOSPC: reason = "the disk is full"
        case EROFS: reason = "the file system is read-only"
        case EACCES, EPERM: reason = "permission denied"
        case EDQUOT: reason = "the disk quota is exhausted"
        case ENOENT: reason = "no such file or folder"
        default: reason = String(cString: strerror(code))
        }
        return "\(path): cannot \(operation): \(reason)"
    }
}
