import CFFmpeg

/// A video stream's codec parameters and time base, copied from the demuxer: what a
/// muxer needs to store the stream's packets unchanged (stream copy, no decoding).
///
/// Immutable once made (the copy is never written again), which is why it may cross
/// threads: the ingest thread makes it, the clip recorder reads it.
public final class StreamParameters: @unchecked Sendable {
    let codecParameters: UnsafeMutablePointer<AVCodecParameters>
    let timeBase: AVRational
    public let width: Int
    public let height: Int
    public let codecName: String

    init(copying source: UnsafePointer<AVCodecParameters>, timeBase: AVRational) {
        guard let copy = avcodec_parameters_alloc() else { fatalError("out of memory for codec parameters") }
        _ = avcodec_parameters_copy(copy, source)
        codecParameters = copy
        self.timeBase = timeBase
        width = Int(copy.pointee.width)
        height = Int(copy.pointee.height)
        codecName = String(cString: avcodec_get_name(copy.pointee.codec_id))
    }

    deinit {
        var pointer: UnsafeMutablePointer<AVCodecParameters>? = codecParameters
        avcodec_parameters_free(&pointer)
    }

    /// Seconds that `ticks` of the stream's time base last (a packet's duration).
    public func seconds(_ ticks: Int64) -> Double {
        Double(ticks) * Double(timeBase.num) / Double(timeBase.den)
    }

    /// The file extension of the container a clip of this stream goes into: MP4 when it can
    /// hold the codec (H.264, HEVC, MPEG-4…), Matroska otherwise.
    public var clipExtension: String {
        guard let mp4 = av_guess_format("mp4", nil, nil) else { return "mkv" }
        return avformat_query_codec(mp4, codecParameters.pointee.codec_id, FF_COMPLIANCE_NORMAL) == 1 ? "mp4" : "mkv"
    }
}
