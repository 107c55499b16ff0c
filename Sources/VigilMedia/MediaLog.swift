import CFFmpeg

/// FFmpeg prints to stderr on its own; by default Vigil silences it and reports
/// problems itself, one line each, instead of one line per damaged packet.
public enum MediaLog {
    public enum Level: Sendable { case quiet, errors, warnings, verbose }

    public static func setFFmpegLevel(_ level: Level) {
        switch level {
        case .quiet: av_log_set_level(AV_LOG_QUIET)
        case .errors: av_log_set_level(AV_LOG_ERROR)
        case .warnings: av_log_set_level(AV_LOG_WARNING)
        case .verbose: av_log_set_level(AV_LOG_VERBOSE)
        }
    }
}
