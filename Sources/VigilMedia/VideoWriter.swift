import CFFmpeg
import VigilVision

/// Encodes grey or colour frames into a video file through libavcodec and libavformat.
/// The container follows the file extension (.mp4, .mkv, .avi, .ts).
public final class VideoWriter {
    public enum Codec: String, CaseIterable, Sendable {
        case h264, hevc, mpeg4, mjpeg

        var encoderNames: [String] {
            switch self {
            case .h264: return ["libx264", "h264"]
            case .hevc: return ["libx265", "hevc"]
            case .mpeg4: return ["mpeg4"]
            case .mjpeg: return ["mjpeg"]
            }
        }
    }

    public let path: String
    public let width: Int
    public let height: Int
    public let framesPerSecond: Int
    public private(set) var codec: Codec
    public private(set) var framesWritten = 0

    private var formatContext: UnsafeMutablePointer<AVFormatContext>?
    private var codecContext: UnsafeMutablePointer<AVCodecContext>?
    private var stream: UnsafeMutablePointer<AVStream>
    private let frame: UnsafeMutablePointer<AVFrame>
    private let packet: UnsafeMutablePointer<AVPacket>
    private var finished = false
    /// RGB to the encoder's YUV, made on the first colour frame.
    private var colourConverter: OpaquePointer?
    /// Whether chroma still holds the neutral grey the grey frames need.
    private var chromaNeutral = true

    /// Opens `path` for writing with the first available codec of `preference`.
    /// `keyframeInterval` is the GOP length in frames; `containerOptions` go to the
    /// muxer (e.g. `movflags: +faststart` puts an mp4's index first).
    public init(path: String, width: Int, height: Int, framesPerSecond: Int,
                preference: [Codec] = [.h264, .mpeg4, .mjpeg], keyframeInterval: Int = 50, quality: Int = 20,
                containerOptions: [String: String] = [:]) throws {
        precondition(width > 0 && height > 0 && framesPerSecond > 0)
        self.path = path
        self.width = width
        self.height = height
        self.framesPerSecond = framesPerSecond

        var chosen: (Codec, UnsafePointer<AVCodec>)? = nil
        for candidate in preference {
            for name in candidate.encoderNames {
                if let encoder = avcodec_find_encoder_by_name(name) { chosen = (candidate, encoder); break }
            }
            if chosen != nil { break }
        }
        guard let (codec, encoder) = chosen else {
            throw MediaError.encoderUnavailable(preference.map(\.rawValue).joined(separator: ", "))
        }
        self.codec = codec

        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        var result = avformat_alloc_output_context2(&context, nil, nil, path)
        guard result >= 0, let context else {
            throw MediaError.writeFailed(path: path, reason: "no container format for this file name (\(ffmpegErrorText(result)))")
        }
        formatContext = context
        guard let codecContext = avcodec_alloc_context3(encoder), let stream = avformat_new_stream(context, nil),
              let frame = av_frame_alloc(), let packet = av_packet_alloc() else { fatalError("out of memory") }
        self.codecContext = codecContext
        self.stream = stream
        self.frame = frame
        self.packet = packet

        let timeBase = AVRational(num: 1, den: Int32(framesPerSecond))
        codecContext.pointee.width = Int32(width)
        codecContext.pointee.height = Int32(height)
        codecContext.pointee.time_base = timeBase
        codecContext.pointee.framerate = AVRational(num: Int32(framesPerSecond), den: 1)
        codecContext.pointee.gop_size = Int32(keyframeInterval)
        codecContext.pointee.pix_fmt = codec == .mjpeg ? AV_PIX_FMT_YUVJ420P : AV_PIX_FMT_YUV420P
        switch codec {
        case .h264, .hevc:
            av_opt_set(codecContext.pointee.priv_data, "preset", "veryfast", 0)
            av_opt_set(codecContext.pointee.priv_data, "crf", String(quality), 0)
        case .mpeg4, .mjpeg:
            codecContext.pointee.flags |= AV_CODEC_FLAG_QSCALE
            codecContext.pointee.global_quality = Int32(FF_QP2LAMBDA * 3)
            // No B-frames: AVI, where MPEG-4 part 2 mostly lives, cannot carry their timestamps.
            codecContext.pointee.max_b_frames = 0
        }
        if context.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            codecContext.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER
        }
        result = avcodec_open2(codecContext, encoder, nil)
        guard result >= 0 else { throw MediaError.writeFailed(path: path, reason: "encoder: \(ffmpegErrorText(result))") }
        avcodec_parameters_from_context(stream.pointee.codecpar, codecContext)
        stream.pointee.time_base = timeBase
        stream.pointee.avg_frame_rate = codecContext.pointee.framerate

        if context.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0 {
            result = avio_open(&context.pointee.pb, path, AVIO_FLAG_WRITE)
            guard result >= 0 else { throw MediaError.writeFailed(path: path, reason: ffmpegErrorText(result)) }
        }
        var dictionary: OpaquePointer? = nil
        defer { av_dict_free(&dictionary) }
        for (key, value) in containerOptions { av_dict_set(&dictionary, key, value, 0) }
        result = avformat_write_header(context, &dictionary)
        guard result >= 0 else { throw MediaError.writeFailed(path: path, reason: ffmpegErrorText(result)) }

        frame.pointee.format = codecContext.pointee.pix_fmt.rawValue
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        result = av_frame_get_buffer(frame, 0)
        guard result >= 0 else { fatalError("out of memory for a \(width)×\(height) frame") }
        neutraliseChroma()
    }

    /// Grey video: chroma stays neutral for every frame.
    private func neutraliseChroma() {
        let chromaHeight = (height + 1) / 2
        for plane in 1...2 {
            let data = plane == 1 ? frame.pointee.data.1! : frame.pointee.data.2!
            let stride = Int(plane == 1 ? frame.pointee.linesize.1 : frame.pointee.linesize.2)
            data.update(repeating: 128, count: stride * chromaHeight)
        }
        chromaNeutral = true
    }

    deinit {
        if !finished { try? finish() }
        sws_freeContext(colourConverter)
        var framePointer: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&framePointer)
        var packetPointer: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&packetPointer)
        avcodec_free_context(&codecContext)
        if let formatContext {
            if formatContext.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0 { avio_closep(&formatContext.pointee.pb) }
            avformat_free_context(formatContext)
        }
    }

    /// Appends one frame; its size must match the writer's.
    public func write(_ image: GrayImage) throws {
        precondition(image.width == width && image.height == height, "frame size differs from the video's")
        let result = av_frame_make_writable(frame)
        guard result >= 0 else { throw MediaError.writeFailed(path: path, reason: ffmpegErrorText(result)) }
        if !chromaNeutral { neutraliseChroma() }
        let stride = Int(frame.pointee.linesize.0)
        let luma = frame.pointee.data.0!
        image.pixels.withUnsafeBufferPointer { source in
            for row in 0..<height {
                (luma + row * stride).update(from: source.baseAddress! + row * width, count: width)
            }
        }
        try encodeFrame()
    }

    /// Appends one colour frame; its size must match the writer's.
    public func write(_ image: RGBImage) throws {
        precondition(image.width == width && image.height == height, "frame size differs from the video's")
        let result = av_frame_make_writable(frame)
        guard result >= 0 else { throw MediaError.writeFailed(path: path, reason: ffmpegErrorText(result)) }
        if colourConverter == nil {
            colourConverter = sws_getContext(Int32(width), Int32(height), AV_PIX_FMT_RGB24, Int32(width), Int32(height),
                                             AVPixelFormat(rawValue: frame.pointee.format), Int32(SWS_BILINEAR), nil, nil, nil)
        }
        guard let colourConverter else { throw MediaError.writeFailed(path: path, reason: "libswscale cannot convert RGB to the encoder's format") }
        chromaNeutral = false
        image.pixels.withUnsafeBufferPointer { source in
            var planes: (UnsafePointer<UInt8>?, UnsafePointer<UInt8>?, UnsafePointer<UInt8>?, UnsafePointer<UInt8>?) = (source.baseAddress, nil, nil, nil)
            var strides: (Int32, Int32, Int32, Int32) = (Int32(width * 3), 0, 0, 0)
            withUnsafePointer(to: &planes) { planes in
                withUnsafePointer(to: &strides) { strides in
                    planes.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 4) { sp in
                        strides.withMemoryRebound(to: Int32.self, capacity: 4) { ss in
                            withUnsafePointer(to: frame.pointee.data) { targetPlanes in
                                withUnsafePointer(to: frame.pointee.linesize) { targetStrides in
                                    targetPlanes.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { tp in
                                        targetStrides.withMemoryRebound(to: Int32.self, capacity: 8) { ts in
                                            _ = sws_scale(colourConverter, sp, ss, 0, Int32(height), tp, ts)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        try encodeFrame()
    }

    private func encodeFrame() throws {
        frame.pointee.pts = Int64(framesWritten)
        framesWritten += 1
        let result = avcodec_send_frame(codecContext, frame)
        guard result >= 0 else { throw MediaError.writeFailed(path: path, reason: "encoder: \(ffmpegErrorText(result))") }
        try drainPackets()
    }

    /// Flushes the encoder and writes the container trailer.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        _ = avcodec_send_frame(codecContext, nil)
        try drainPackets()
        let result = av_write_trailer(formatContext)
        guard result >= 0 else { throw MediaError.writeFailed(path: path, reason: ffmpegErrorText(result)) }
    }

    private func drainPackets() throws {
        while true {
            let result = avcodec_receive_packet(codecContext, packet)
            if result == averrorEAGAIN || result == averrorEOF { return }
            guard result >= 0 else { throw MediaError.writeFailed(path: path, reason: "encoder: \(ffmpegErrorText(result))") }
            av_packet_rescale_ts(packet, codecContext!.pointee.time_base, stream.pointee.time_base)
            packet.pointee.stream_index = stream.pointee.index
            let written = av_interleaved_write_frame(formatContext, packet)
            guard written >= 0 else { throw MediaError.writeFailed(path: path, reason: ffmpegErrorText(written)) }
        }
    }
}
