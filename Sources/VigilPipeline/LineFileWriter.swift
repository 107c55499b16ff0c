import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import VigilMedia

/// Appends text lines to a file through stdio's buffer; errors (disk full) surface
/// on write or close instead of being lost.
final class LineFileWriter {
    let path: String
    private var file: UnsafeMutablePointer<FILE>?

    init(path: String) throws {
        self.path = path
        guard let file = fopen(path, "w") else {
            throw MediaError.writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
        self.file = file
    }

    deinit { if let file { fclose(file) } }

    func write(_ text: String) throws {
        guard let file else { return }
        if fputs(text, file) < 0 { throw MediaError.writeFailed(path: path, reason: String(cString: strerror(errno))) }
    }

    func close() throws {
        guard let file else { return }
        self.file = nil
        let flushFailed = fflush(file) != 0
        let reason = String(cString: strerror(errno))
        fclose(file)
        if flushFailed { throw MediaError.writeFailed(path: path, reason: reason) }
    }
}
