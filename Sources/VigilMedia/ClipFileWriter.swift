import CFFmpeg
#if canImport(Glibc)
import Glibc
#endif

/// Writes a stream's compressed packets into a video file without decoding them (libavformat
/// stream copy): an event clip. Timestamps are moved so that the first packet starts at 0;
/// an MP4 gets its index at the front (faststart) so a browser plays it before it has all of it.
///
/// The file is written under a temporary name and renamed when finished: a clip that is on
/// disk under its name is whole.
public final class ClipFileWriter {
    public let path: String
    public let parameters: StreamParameters
    public private(set) var packetsWritten = 0
    public private(set) var bytesWritten = 0
    /// Seconds from the first packet's time to the end of the last.
    public private(set) var duration = 0.0

    private let partialPath: String
    private var formatContext: UnsafeMutablePointer<AVFormatContext>?
    private let stream: UnsafeMutablePointer<AVStream>
    private let packet: UnsafeMutablePointer<AVPacket>
    private var base: Int64?
    private var lastDTS = Int64.min
    private var firstTime = 0.0
    private var closed = false

    public init(path: String, parameters: StreamParameters) throws {
        self.path = path
        self.parameters = parameters
        partialPath = path + ".part"
        let formatName = path.hasSuffix(".mp4") ? "mp4" : "matroska"
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        var result = avformat_alloc_output_context2(&context, nil, formatName, partialPath)
        guard result >= 0, let context else { throw MediaError.writeFailed(path: path, reason: "no \(formatName) muxer (\(ffmpegErrorText(result)))") }
        guard let stream = avformat_new_stream(context, nil), let packet = av_packet_alloc() else { fatalError("out of memory") }
        self.stream = stream
        self.packet = packet
        formatContext = context
        avcodec_parameters_copy(stream.pointee.codecpar, parameters.codecParameters)
        // The source container's tag (an AVI's fourcc) means nothing in this one: let the muxer choose.
        stream.pointee.codecpar.pointee.codec_tag = 0
        stream.pointee.time_base = parameters.timeBase
        result = avio_open(&context.pointee.pb, partialPath, AVIO_FLAG_WRITE)
        guard result >= 0 else {
            release()
            throw MediaError.writeFailed(path: path, reason: ffmpegErrorText(result))
        }
        var options: OpaquePointer? = nil
        defer { av_dict_free(&options) }
        if formatName == "mp4" { av_dict_set(&options, "movflags", "+faststart", 0) }
        result = avformat_write_header(context, &options)
        guard result >= 0 else {
            release()
            unlink(partialPath)
            throw MediaError.writeFailed(path: path, reason: ffmpegErrorText(result))
        }
    }

    deinit {
        if !closed { abandon() }
        var pointer: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&pointer)
    }

    /// Appends one packet as the source sent it. The first must be a keyframe.
    public func write(_ meta: RingPacket, bytes: UnsafeRawBufferPointer) throws {
        guard !closed, let formatContext else { return }
        let noPTS = avNoPTS
        var pts = meta.pts, dts = meta.dts
        if dts == noPTS { dts = pts }
        if pts == noPTS { pts = dts }
        if base == nil {
            guard meta.isKeyframe else { return }
            base = dts == noPTS ? 0 : dts
            firstTime = meta.time
        }
        let offset = base ?? 0
        if dts != noPTS { dts -= offset }
        if pts != noPTS { pts -= offset }
        // A muxer refuses a timestamp that does not increase (a camera's glitch): nudge it.
        if dts != noPTS {
            if dts <= lastDTS { dts = lastDTS + 1 }
            if pts != noPTS && pts < dts { pts = dts }
            lastDTS = dts
        }
        av_packet_unref(packet)
        packet.pointee.data = UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
        packet.pointee.size = Int32(bytes.count)
        packet.pointee.pts = pts
        packet.pointee.dts = dts
        packet.pointee.duration = meta.duration
        packet.pointee.flags = meta.isKeyframe ? AV_PKT_FLAG_KEY : 0
        packet.pointee.stream_index = 0
        av_packet_rescale_ts(packet, parameters.timeBase, stream.pointee.time_base)
        let result = av_write_frame(formatContext, packet)
        packet.pointee.data = nil
        packet.pointee.size = 0
        guard result >= 0 else { throw MediaError.writeFailed(path: path, reason: ffmpegErrorText(result)) }
        // The muxer buffers its writes; a failed one (a full disk) shows only on the I/O context.
        if let io = formatContext.pointee.pb, io.pointee.error < 0 {
            throw MediaError.writeFailed(path: path, reason: ffmpegErrorText(io.pointee.error))
        }
        packetsWritten += 1
        bytesWritten += bytes.count
        duration = max(duration, meta.time + parameters.seconds(max(0, meta.duration)) - firstTime)
    }

    /// Writes the index and gives the file its name. A clip with no packet is removed instead.
    @discardableResult
    public func finish() throws -> Bool {
        guard !closed, let formatContext else { return false }
        closed = true
        guard packetsWritten > 0 else {
            release()
            unlink(partialPath)
            return false
        }
        let result = av_write_trailer(formatContext)
        let flushed = avio_closep(&formatContext.pointee.pb)
        release()
        guard result >= 0, flushed >= 0 else {
            unlink(partialPath)
            throw MediaError.writeFailed(path: path, reason: ffmpegErrorText(result < 0 ? result : flushed))
        }
        let descriptor = open(partialPath, O_RDONLY | O_CLOEXEC)
        if descriptor >= 0 { _ = fsync(descriptor); close(descriptor) }
        guard rename(partialPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(partialPath)
            throw MediaError.writeFailed(path: path, reason: reason)
        }
        return true
    }

    /// Stops without a file (the disk is full, the clip was cancelled).
    public func abandon() {
        guard !closed else { return }
        closed = true
        if let formatContext { avio_closep(&formatContext.pointee.pb) }
        release()
        unlink(partialPath)
    }

    private func release() {
        if let formatContext {
            if formatContext.pointee.pb != nil { avio_closep(&formatContext.pointee.pb) }
            avformat_free_context(formatContext)
        }
        formatContext = nil
    }
}
