import CFFmpeg

/// Why a source could not be read. Every case renders as one line an operator can act on.
public enum MediaError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(path: String)
    case emptyFile(path: String)
    case cannotRead(path: String, reason: String)
    case openFailed(source: String, reason: String)
    case timedOut(source: String, stage: String, seconds: Double)
    case noVideoStream(source: String)
    case unsupportedCodec(source: String, codec: String)
    case decoderFailed(source: String, reason: String)
    case nothingDecoded(source: String, reason: String)
    case unconvertible(source: String, reason: String)
    case encoderUnavailable(String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .fileNotFound(path): return "\(path): no such file"
        case let .emptyFile(path): return "\(path): file is empty (0 bytes)"
        case let .cannotRead(path, reason): return "\(path): cannot read: \(reason)"
        case let .openFailed(source, reason): return "\(source): cannot open: \(reason)"
        case let .timedOut(source, stage, seconds):
            return "\(source): timed out after \(formatSeconds(seconds)) s while \(stage)"
        case let .noVideoStream(source): return "\(source): contains no video stream"
        case let .unsupportedCodec(source, codec): return "\(source): video codec '\(codec)' is not supported by this FFmpeg build"
        case let .decoderFailed(source, reason): return "\(source): cannot start the video decoder: \(reason)"
        case let .nothingDecoded(source, reason): return "\(source): no video frame could be decoded (\(reason))"
        case let .unconvertible(source, reason): return "\(source): decoded pictures cannot be analysed: \(reason)"
        case let .encoderUnavailable(what): return "no encoder available: \(what)"
        case let .writeFailed(path, reason): return "\(path): cannot write: \(reason)"
        }
    }
}

/// "10" for whole seconds, "1.5" otherwise.
func formatSeconds(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String((value * 10).rounded() / 10)
}

/// FFmpeg's own message for an error code, e.g. "Invalid data found when processing input".
func ffmpegErrorText(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    av_strerror(code, &buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

let averrorEAGAIN = vigil_averror_eagain()
let averrorEOF = vigil_averror_eof()
let averrorExit = vigil_averror_exit()
let averrorInvalidData = vigil_averror_invaliddata()
let avNoPTS = vigil_av_nopts_value()
let averrorHTTPBadRequest = vigil_averror_http_bad_request()
let averrorHTTPOther4xx = vigil_averror_http_other_4xx()
let averrorProtocolNotSupported = vigil_averror_eprotonosupport()
let averrorHTTPServerError = vigil_averror_http_server_error()
