import CFFmpeg
import CVigilLog
#if canImport(Glibc)
import Glibc
#endif

/// One opened video source: demuxer plus decoder, owned together because their
/// lifetimes are the same. Frames come out in presentation order.
///
/// Not thread-safe except for `abort()`, which may be called from any thread.
public final class VideoSource {
    public let location: SourceLocation
    public let options: SourceOptions
    public private(set) var info: StreamInfo

    private var formatContext: UnsafeMutablePointer<AVFormatContext>?
    private var codecContext: UnsafeMutablePointer<AVCodecContext>?
    private let packet: UnsafeMutablePointer<AVPacket>
    private let frame: UnsafeMutablePointer<AVFrame>
    private let interrupt = InterruptGuard()
    private let logSink = LogSink()
    /// The RTSP transport the connection uses (nil for other sources), and whether `auto`
    /// had to fall back to UDP because the server refused TCP.
    public private(set) var rtspTransportUsed: RTSPTransport?
    public private(set) var rtspFellBackToUDP = false
    /// A fifo opened by Vigil (so that waiting for its writer has a deadline), read by FFmpeg as `pipe:N`.
    private var fifoDescriptor: Int32 = -1
    private let videoStreamIndex: Int32
    private let timeBase: Double
    private let startTime: Double

    private var flushing = false
    private var finished = false
    private var framesOut = 0
    /// Presentation time of the newest frame handed out.
    public private(set) var lastPTS: Double?
    /// Receives a copy of every compressed video packet read (the event clips' pre-roll).
    public var packetRing: PacketRing?
    /// Time the ring's packets by when they arrived (monotonic seconds) instead of by the
    /// stream's timestamps: a camera's second stream, whose timestamps share no origin with
    /// the analysed stream's.
    public var timesPacketsByArrival = false

    /// Counters an operator or a report needs to judge the source's health.
    public private(set) var packetsRead = 0
    public private(set) var decodeErrors = 0
    /// Frames the decoder produced from damaged data (errors concealed, or the
    /// demuxer flagged the packet corrupt).
    public private(set) var damagedFrames = 0
    /// The last read or decode error text, kept for reports and the final warning.
    public private(set) var lastErrorText: String?
    /// True when reading stopped on an error rather than a clean end of file.
    public private(set) var endedOnReadError = false

    /// Opens `location`, finds its best video stream and starts a decoder for it.
    /// Every blocking step is bounded by `options.openTimeout`.
    public init(_ location: SourceLocation, options: SourceOptions = SourceOptions()) throws {
        self.location = location
        self.options = options
        let shown = location.redacted

        var openName = location.raw
        var fifo: Int32 = -1
        if !location.isNetwork {
            let path = location.raw.hasPrefix("file:") ? String(location.raw.dropFirst(5)) : location.raw
            var status = stat()
            guard stat(path, &status) == 0 else {
                let code = errno
                if code == ENOENT { throw MediaError.fileNotFound(path: shown) }
                throw MediaError.cannotRead(path: shown, reason: Self.fileErrorText(code))
            }
            switch status.st_mode & S_IFMT {
            case S_IFREG:
                if status.st_size == 0 { throw MediaError.emptyFile(path: shown) }
                let probe = open(path, O_RDONLY | O_CLOEXEC)
                guard probe >= 0 else { throw MediaError.cannotRead(path: shown, reason: Self.fileErrorText(errno)) }
                close(probe)
            case S_IFDIR:
                throw MediaError.cannotRead(path: shown, reason: "is a folder, not a video file")
            case S_IFIFO:
                // open(2) on a fifo blocks until a writer appears, beyond any FFmpeg timeout:
                // open it without blocking and wait for data ourselves, with the deadline.
                fifo = try Self.openFifo(path, shown: shown, seconds: options.openTimeout)
                openName = "pipe:\(fifo)"
            default:
                break
            }
        }
        fifoDescriptor = fifo

        guard let packet = av_packet_alloc(), let frame = av_frame_alloc() else {
            fatalError("FFmpeg could not allocate a packet or frame: out of memory")
        }
        self.packet = packet
        self.frame = frame
        // Until `info` is set the object is not whole, so a throw below skips deinit: free
        // here what deinit would (the contexts are released where each failure is thrown).
        var opened = false
        defer {
            if !opened {
                av_packet_free_wrapper(packet)
                av_frame_free_wrapper(frame)
                if fifo >= 0 { close(fifo) }
            }
        }

        var context: UnsafeMutablePointer<AVFormatContext>?
        var openResult: Int32 = 0
        let isRTSP = location.scheme == "rtsp" || location.scheme == "rtsps"
        // With `auto`, TCP first, then UDP if the server refuses TCP outright. Each retry waits
        // half a second: a server that just refused TCP may still be tearing that session down
        // and answer with a 5xx (GStreamer's does), which earns one more UDP attempt.
        let attempts: [RTSPTransport?] = !isRTSP ? [nil] : options.rtspTransport == .auto ? [.tcp, .udp, .udp] : [options.rtspTransport]
        var refusedTCP: String? = nil
        interrupt.arm(seconds: options.openTimeout)
        for (attempt, transport) in attempts.enumerated() {
            if attempt > 0 {
                for _ in 0..<10 where !interrupt.aborted { usleep(50_000) }
                if interrupt.aborted { break }
            }
            context = avformat_alloc_context()
            guard context != nil else { fatalError("FFmpeg could not allocate a format context: out of memory") }
            vigil_install_interrupt(context, interrupt.state)
            vigil_attach_log_sink_format(context, logSink.sink)
            var dictionary: OpaquePointer? = nil
            if let transport { av_dict_set(&dictionary, "rtsp_transport", transport.rawValue, 0) }
            if location.isNetwork {
                // Socket-level timeout in microseconds, a second line of defence behind the interrupt callback.
                av_dict_set(&dictionary, "rw_timeout", String(Int64(options.readTimeout * 1_000_000)), 0)
            }
            for (key, value) in options.formatOptions { av_dict_set(&dictionary, key, value, 0) }
            LogSink.clearThreadMessage()
            openResult = avformat_open_input(&context, openName, nil, &dictionary)
            av_dict_free(&dictionary)
            if openResult >= 0 {
                rtspTransportUsed = transport
                break
            }
            // avformat_open_input frees the context on failure.
            context = nil
            if interrupt.fired || attempts.count == 1 { break }
            if transport == .tcp {
                let refused = openResult == averrorHTTPBadRequest || openResult == averrorHTTPOther4xx || openResult == averrorProtocolNotSupported
                guard refused else { break }
                refusedTCP = ffmpegErrorText(openResult)
            } else if openResult != averrorHTTPServerError {
                break
            }
        }
        if openResult < 0 {
            if interrupt.fired { throw MediaError.timedOut(source: shown, stage: "opening", seconds: options.openTimeout) }
            var reason = Self.describeOpenError(openResult, logged: location.isNetwork ? nil : logSink.openMessage)
            if let refusedTCP { reason = "the server refused RTSP over TCP (\(refusedTCP)) and over UDP: \(reason)" }
            throw MediaError.openFailed(source: shown, reason: reason)
        }
        rtspFellBackToUDP = refusedTCP != nil
        formatContext = context
        guard let formatContext = context else { throw MediaError.openFailed(source: shown, reason: "no context") }

        if location.isNetwork {
            // Probing a live stream reads until it has seen enough frames to guess the rate
            // (20 frames: 2 s of a 10 fps camera); keep it well inside the open deadline, so
            // it ends on its own instead of being interrupted.
            formatContext.pointee.max_analyze_duration = Int64(min(5, options.openTimeout * 0.5) * 1_000_000)
        }
        let probeResult = avformat_find_stream_info(formatContext, nil)
        // An interrupted probe may still report success, but leaves the I/O context with a
        // sticky AVERROR_EXIT: every later read would fail at once ("the stream ended").
        if probeResult < 0 || interrupt.fired {
            let fired = interrupt.fired
            avformat_close_input(&self.formatContext)
            if fired { throw MediaError.timedOut(source: shown, stage: "reading stream information", seconds: options.openTimeout) }
            throw MediaError.openFailed(source: shown, reason: Self.describeOpenError(probeResult, logged: location.isNetwork ? nil : logSink.openMessage))
        }

        let streamIndex = av_find_best_stream(formatContext, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        guard streamIndex >= 0, let stream = formatContext.pointee.streams[Int(streamIndex)] else {
            let fired = interrupt.fired
            avformat_close_input(&self.formatContext)
            if fired { throw MediaError.timedOut(source: shown, stage: "reading stream information", seconds: options.openTimeout) }
            if formatContext.pointee.nb_streams == 0, !location.isNetwork, let logged = logSink.lastMessage {
                throw MediaError.openFailed(source: shown, reason: "no stream could be read (FFmpeg: \(logged))")
            }
            throw MediaError.noVideoStream(source: shown)
        }
        videoStreamIndex = streamIndex
        // Only the video stream is decoded; tell the demuxer to drop the rest early.
        for index in 0..<Int(formatContext.pointee.nb_streams) where index != Int(streamIndex) {
            formatContext.pointee.streams[index]?.pointee.discard = AVDISCARD_ALL
        }

        let parameters = stream.pointee.codecpar!
        var codecName = String(cString: avcodec_get_name(parameters.pointee.codec_id))
        if parameters.pointee.codec_id == AV_CODEC_ID_NONE {
            codecName = "unknown, tag \(Self.fourCC(parameters.pointee.codec_tag))"
        }
        guard let decoder = avcodec_find_decoder(parameters.pointee.codec_id) else {
            avformat_close_input(&self.formatContext)
            throw MediaError.unsupportedCodec(source: shown, codec: codecName)
        }
        guard let codecContext = avcodec_alloc_context3(decoder) else { fatalError("out of memory") }
        self.codecContext = codecContext
        vigil_attach_log_sink_codec(codecContext, logSink.sink)
        var result = avcodec_parameters_to_context(codecContext, parameters)
        if result < 0 {
            Self.release(&self.codecContext, &self.formatContext)
            throw MediaError.decoderFailed(source: shown, reason: ffmpegErrorText(result))
        }
        codecContext.pointee.thread_count = Int32(max(0, options.decoderThreads))
        codecContext.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
        codecContext.pointee.pkt_timebase = stream.pointee.time_base
        if options.skipNonReferenceFrames { codecContext.pointee.skip_frame = AVDISCARD_NONREF }
        if options.skipDeblockingUnreferencedFrames { codecContext.pointee.skip_loop_filter = AVDISCARD_NONREF }
        result = avcodec_open2(codecContext, decoder, nil)
        if result < 0 {
            Self.release(&self.codecContext, &self.formatContext)
            throw MediaError.decoderFailed(source: shown, reason: Self.describeOpenError(result, logged: location.isNetwork ? nil : logSink.openMessage))
        }
        interrupt.disarm()

        timeBase = av_q2d(stream.pointee.time_base)
        startTime = stream.pointee.start_time == avNoPTS ? 0 : Double(stream.pointee.start_time) * timeBase
        let rate = stream.pointee.avg_frame_rate.num > 0 ? stream.pointee.avg_frame_rate : stream.pointee.r_frame_rate
        let fps = rate.num > 0 && rate.den > 0 ? av_q2d(rate) : nil
        var duration: Double? = nil
        if stream.pointee.duration > 0 && stream.pointee.duration != avNoPTS {
            duration = Double(stream.pointee.duration) * timeBase
        } else if formatContext.pointee.duration > 0 && formatContext.pointee.duration != avNoPTS {
            duration = Double(formatContext.pointee.duration) / Double(AV_TIME_BASE)
        }
        let sar = stream.pointee.sample_aspect_ratio.num > 0 ? stream.pointee.sample_aspect_ratio : parameters.pointee.sample_aspect_ratio
        info = StreamInfo(
            width: Int(parameters.pointee.width),
            height: Int(parameters.pointee.height),
            codecName: codecName,
            containerName: Self.containerName(String(cString: formatContext.pointee.iformat.pointee.name), location: location),
            framesPerSecond: fps,
            duration: location.isNetwork ? nil : duration,
            declaredFrameCount: stream.pointee.nb_frames > 0 ? Int(stream.pointee.nb_frames) : nil,
            sampleAspectRatio: sar.num > 0 && sar.den > 0 ? av_q2d(sar) : 1
        )
        opened = true
    }

    deinit {
        av_packet_free_wrapper(packet)
        av_frame_free_wrapper(frame)
        Self.release(&codecContext, &formatContext)
        if fifoDescriptor >= 0 { close(fifoDescriptor) }
    }

    /// Errors FFmpeg's decoder logged for this source (damage it concealed, references
    /// it lacked), and errors its demuxer logged (corrupt packets, lost sync).
    public var decoderLoggedErrors: Int { logSink.decoderErrors }
    public var demuxerLoggedErrors: Int { logSink.demuxerErrors }
    /// The last error message FFmpeg logged for this source.
    public var lastLoggedError: String? { logSink.lastMessage }

    /// Opens a fifo for reading without blocking and waits, up to `seconds`, until its
    /// writer sends data (or hangs up after writing nothing).
    static func openFifo(_ path: String, shown: String, seconds: Double) throws -> Int32 {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw MediaError.cannotRead(path: shown, reason: fileErrorText(errno)) }
        var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let result = poll(&waiting, 1, Int32(min(seconds, 86_400) * 1000))
        if result == 0 {
            close(descriptor)
            throw MediaError.timedOut(source: shown, stage: "waiting for a program to write into the fifo", seconds: seconds)
        }
        if result < 0 || waiting.revents & Int16(POLLIN) == 0 {
            close(descriptor)
            throw MediaError.cannotRead(path: shown, reason: "the fifo's writer closed it without sending data")
        }
        return descriptor
    }

    static func fileErrorText(_ code: Int32) -> String {
        switch code {
        case ELOOP: return "too many levels of symbolic links (a link that points back at itself)"
        case EACCES, EPERM: return "permission denied"
        case ENOTDIR: return "a part of the path is not a folder"
        case ENAMETOOLONG: return "the path is too long"
        case EISDIR: return "is a folder, not a video file"
        default: return String(cString: strerror(code))
        }
    }

    private static func release(_ codec: inout UnsafeMutablePointer<AVCodecContext>?, _ format: inout UnsafeMutablePointer<AVFormatContext>?) {
        if codec != nil { avcodec_free_context(&codec) }
        if format != nil { avformat_close_input(&format) }
    }

    /// FFmpeg names demuxer families ("mov,mp4,m4a,3gp,3g2,mj2"); the file's own
    /// extension picks the member a user recognises.
    static func containerName(_ family: String, location: SourceLocation) -> String {
        let members = family.split(separator: ",").map(String.init)
        guard members.count > 1 else { return family }
        let lastComponent = location.raw.split(separator: "/").last ?? ""
        if let dot = lastComponent.lastIndex(of: ".") {
            let extensionName = lastComponent[lastComponent.index(after: dot)...].lowercased()
            if members.contains(extensionName) { return extensionName }
        }
        return members[0]
    }

    private static func fourCC(_ tag: UInt32) -> String {
        let bytes = (0..<4).map { UInt8((tag >> (8 * $0)) & 0xFF) }
        if bytes.allSatisfy({ $0 >= 32 && $0 < 127 }) { return String(decoding: bytes, as: UTF8.self) }
        return "0x" + String(tag, radix: 16)
    }

    /// One line for an error opening a source. FFmpeg's bare codes can mislead ("End of
    /// file" for garbage before the data, "Device or resource busy" for a size it refuses),
    /// so what its log said is added when it said something. Only for files: a network
    /// protocol's log lines can name hosts and paths the redacted form hides.
    private static func describeOpenError(_ code: Int32, logged: String?) -> String {
        let detail = logged.map { " (FFmpeg: \($0))" } ?? ""
        if code == averrorInvalidData { return "not a video file FFmpeg recognises, or its header is damaged\(detail.isEmpty ? " (" + ffmpegErrorText(code) + ")" : detail)" }
        if code == averrorEOF { return "no readable video data before the end of the file (not a video file, or its start is damaged)\(detail)" }
        if logged != nil { return "the input is damaged or not supported\(detail)" }
        return ffmpegErrorText(code)
    }

    /// Makes any blocking call return promptly and ends the stream; safe from any thread.
    public func abort() { interrupt.abort() }

    /// Decodes the next frame. Returns nil at the end of the stream. Read errors that
    /// end the stream are remembered (`endedOnReadError`) rather than thrown, so the
    /// frames decoded so far stay usable; only a stall past the read timeout throws.
    public func nextFrame() throws -> DecodedFrame? {
        guard let codecContext, let formatContext, !finished else { return nil }
        while true {
            let received = avcodec_receive_frame(codecContext, frame)
            if received == 0 {
                if frame.pointee.decode_error_flags != 0 || frame.pointee.flags & AV_FRAME_FLAG_CORRUPT != 0 {
                    damagedFrames += 1
                }
                return makeDecodedFrame()
            }
            if received == averrorEOF {
                finished = true
                return nil
            }
            if received != averrorEAGAIN {
                noteDecodeError(received)
                continue
            }
            if flushing {
                // EAGAIN after a flush packet cannot produce more output.
                finished = true
                return nil
            }
            interrupt.arm(seconds: options.readTimeout)
            let readResult = av_read_frame(formatContext, packet)
            interrupt.disarm()
            if readResult == averrorEAGAIN { continue }
            if readResult < 0 {
                if interrupt.aborted {
                    finished = true
                    return nil
                }
                // AVERROR_EXIT only comes from our interrupt callback; AVIOContext keeps it as a
                // sticky error, so a later read can return it without the callback firing again.
                if interrupt.fired || readResult == averrorExit {
                    throw MediaError.timedOut(source: location.redacted, stage: "waiting for data", seconds: options.readTimeout)
                }
                if readResult != averrorEOF {
                    endedOnReadError = true
                    lastErrorText = ffmpegErrorText(readResult)
                }
                flushing = true
                _ = avcodec_send_packet(codecContext, nil)
                continue
            }
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == videoStreamIndex else { continue }
            packetsRead += 1
            if let packetRing, let data = packet.pointee.data { keep(packet, data: data, in: packetRing) }
            let sent = avcodec_send_packet(codecContext, packet)
            if sent < 0 && sent != averrorEAGAIN {
                noteDecodeError(sent)
            }
        }
    }

    /// The stream's parameters, for a clip writer that copies its packets.
    public func streamParameters() -> StreamParameters {
        let stream = formatContext!.pointee.streams[Int(videoStreamIndex)]!
        return StreamParameters(copying: stream.pointee.codecpar, timeBase: stream.pointee.time_base)
    }

    /// A packet's time in seconds on the frames' timeline (its pts, else its dts), if it has one.
    private func streamTime(of packet: UnsafeMutablePointer<AVPacket>) -> Double? {
        let stamp = packet.pointee.pts != avNoPTS ? packet.pointee.pts : packet.pointee.dts
        return stamp == avNoPTS ? nil : Double(stamp) * timeBase - startTime
    }

    private func keep(_ packet: UnsafeMutablePointer<AVPacket>, data: UnsafeMutablePointer<UInt8>, in ring: PacketRing) {
        let time = timesPacketsByArrival ? MonotonicClock.seconds(since: 0) : streamTime(of: packet) ?? lastPTS ?? 0
        ring.append(UnsafeRawBufferPointer(start: data, count: Int(packet.pointee.size)), pts: packet.pointee.pts, dts: packet.pointee.dts,
                    duration: packet.pointee.duration, isKeyframe: packet.pointee.flags & AV_PKT_FLAG_KEY != 0, time: time)
    }

    /// What `forwardPacket` read.
    public enum PacketRead: Equatable {
        /// A video packet, with its time on the stream's timeline when it has one.
        case video(time: Double?)
        /// Nothing usable this time (another stream's packet, a retry).
        case other
        case end
    }

    /// Reads one packet without decoding it (a stream that is only recorded) and hands a
    /// video packet to the ring. Read errors end the stream (`endedOnReadError`); only a
    /// stall past the read timeout throws.
    public func forwardPacket() throws -> PacketRead {
        guard let formatContext, !finished else { return .end }
        interrupt.arm(seconds: options.readTimeout)
        let result = av_read_frame(formatContext, packet)
        interrupt.disarm()
        if result == averrorEAGAIN { return .other }
        if result < 0 {
            finished = true
            if interrupt.aborted { return .end }
            if interrupt.fired || result == averrorExit {
                throw MediaError.timedOut(source: location.redacted, stage: "waiting for data", seconds: options.readTimeout)
            }
            if result != averrorEOF {
                endedOnReadError = true
                lastErrorText = ffmpegErrorText(result)
            }
            return .end
        }
        defer { av_packet_unref(packet) }
        guard packet.pointee.stream_index == videoStreamIndex, let data = packet.pointee.data else { return .other }
        packetsRead += 1
        if let packetRing { keep(packet, data: data, in: packetRing) }
        return .video(time: streamTime(of: packet))
    }

    private func noteDecodeError(_ code: Int32) {
        decodeErrors += 1
        lastErrorText = ffmpegErrorText(code)
    }

    private func makeDecodedFrame() -> DecodedFrame {
        let timestamp = frame.pointee.best_effort_timestamp
        let pts: Double
        if timestamp != avNoPTS {
            pts = Double(timestamp) * timeBase - startTime
        } else if let fps = info.framesPerSecond {
            pts = Double(framesOut) / fps
        } else {
            pts = 0
        }
        var index = framesOut
        if options.skipNonReferenceFrames, let fps = info.framesPerSecond, timestamp != avNoPTS {
            // Skipped frames never reach us, so counting would drift; timestamps do not.
            index = max(0, Int((pts * fps).rounded()))
        }
        framesOut += 1
        lastPTS = max(lastPTS ?? pts, pts)
        if Int(frame.pointee.width) != info.width || Int(frame.pointee.height) != info.height {
            info.width = Int(frame.pointee.width)
            info.height = Int(frame.pointee.height)
        }
        return DecodedFrame(index: index, pts: pts, picture: UnsafePointer(frame))
    }

    /// Frames handed out so far.
    public var framesDecoded: Int { framesOut }
}

/// A decoded full-resolution frame, valid until the next `nextFrame()` call.
public struct DecodedFrame {
    /// 0-based index of the frame in the source, in presentation order.
    public let index: Int
    /// Presentation time in seconds from the start of the stream.
    public let pts: Double
    let picture: UnsafePointer<AVFrame>

    public var width: Int { Int(picture.pointee.width) }
    public var height: Int { Int(picture.pointee.height) }

    /// Keeps the full-resolution picture beyond the next decode (for snapshots);
    /// shares the decoder's buffers by reference count, no copy.
    public func retain() -> VideoPicture { VideoPicture(cloning: picture) }
}

/// A reference-counted full-resolution picture kept for later use (snapshots).
public final class VideoPicture {
    let frame: UnsafeMutablePointer<AVFrame>
    init(cloning source: UnsafePointer<AVFrame>) {
        guard let clone = av_frame_clone(source) else { fatalError("out of memory cloning a frame") }
        frame = clone
    }
    deinit { av_frame_free_wrapper(frame) }
    public var width: Int { Int(frame.pointee.width) }
    public var height: Int { Int(frame.pointee.height) }
    /// Bytes of picture data it keeps from being reused by the decoder (all its planes).
    public var byteCount: Int {
        Int(max(0, av_image_get_buffer_size(AVPixelFormat(rawValue: frame.pointee.format), frame.pointee.width, frame.pointee.height, 1)))
    }
    /// The width the picture is shown at (its pixels may not be square).
    public var displayWidth: Int {
        let sar = frame.pointee.sample_aspect_ratio
        guard sar.num > 0, sar.den > 0 else { return width }
        return max(2, Int((Double(width) * Double(sar.num) / Double(sar.den)).rounded()))
    }
}

func av_packet_free_wrapper(_ packet: UnsafeMutablePointer<AVPacket>) {
    var pointer: UnsafeMutablePointer<AVPacket>? = packet
    av_packet_free(&pointer)
}

func av_frame_free_wrapper(_ frame: UnsafeMutablePointer<AVFrame>) {
    var pointer: UnsafeMutablePointer<AVFrame>? = frame
    av_frame_free(&pointer)
}
