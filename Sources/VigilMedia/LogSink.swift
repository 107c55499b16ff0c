import CFFmpeg
import CVigilLog

/// Owns the sink FFmpeg's log callback counts one source's errors into (see shim.h).
/// It must outlive the format and codec contexts that point at it.
final class LogSink {
    let sink: UnsafeMutablePointer<VigilLogSink>

    /// The process-wide callback, installed once before the first source opens.
    private static let installed: Void = vigil_install_log_callback()

    init() {
        _ = Self.installed
        sink = .allocate(capacity: 1)
        vigil_log_sink_init(sink)
    }

    deinit {
        vigil_log_sink_destroy(sink)
        sink.deallocate()
    }

    var decoderErrors: Int { Int(vigil_log_sink_decoder_errors(sink)) }
    var demuxerErrors: Int { Int(vigil_log_sink_demuxer_errors(sink)) }

    /// Forgets this thread's last logged error (before an open whose failure it may explain).
    static func clearThreadMessage() { vigil_thread_last_error_clear() }

    /// The last error anything in FFmpeg logged on this thread, nil when none since clearing.
    static var threadMessage: String? {
        var buffer = [CChar](repeating: 0, count: 256)
        vigil_thread_last_error_copy(&buffer, buffer.count)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? nil : text
    }

    /// What to tell a user about a failed open: the source's own last error, else this thread's.
    var openMessage: String? { lastMessage ?? Self.threadMessage }

    /// The last error message either of them logged, nil when none.
    var lastMessage: String? {
        var buffer = [CChar](repeating: 0, count: 256)
        vigil_log_sink_last(sink, &buffer, buffer.count)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? nil : text
    }
}
