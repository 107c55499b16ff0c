import CFFmpeg

/// Reads a file's video packets without decoding them: for checking what a clip holds
/// against its source, packet for packet.
public final class PacketReader {
    public struct Packet: Sendable, Equatable {
        public var bytes: [UInt8]
        /// Presentation time in seconds from the stream's start (decode time if none).
        public var time: Double
        public var isKeyframe: Bool
    }

    private var formatContext: UnsafeMutablePointer<AVFormatContext>?
    private let packet: UnsafeMutablePointer<AVPacket>
    private let streamIndex: Int32
    private let timeBase: Double
    private let startTime: Int64

    public init(path: String) throws {
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        var result = avformat_open_input(&context, path, nil, nil)
        guard result >= 0, let context else { throw MediaError.openFailed(source: path, reason: ffmpegErrorText(result)) }
        formatContext = context
        result = avformat_find_stream_info(context, nil)
        let index = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        guard result >= 0, index >= 0, let stream = context.pointee.streams[Int(index)] else {
            avformat_close_input(&formatContext)
            throw MediaError.noVideoStream(source: path)
        }
        guard let packet = av_packet_alloc() else { fatalError("out of memory") }
        self.packet = packet
        streamIndex = index
        timeBase = av_q2d(stream.pointee.time_base)
        startTime = stream.pointee.start_time == avNoPTS ? 0 : stream.pointee.start_time
    }

    deinit {
        av_packet_free_wrapper(packet)
        avformat_close_input(&formatContext)
    }

    /// The next video packet, or nil at the end.
    public func next() -> Packet? {
        while let formatContext, av_read_frame(formatContext, packet) >= 0 {
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == streamIndex, let data = packet.pointee.data else { continue }
            let stamp = packet.pointee.pts != avNoPTS ? packet.pointee.pts : packet.pointee.dts
            return Packet(bytes: Array(UnsafeBufferPointer(start: data, count: Int(packet.pointee.size))),
                          time: stamp == avNoPTS ? 0 : Double(stamp - startTime) * timeBase,
                          isKeyframe: packet.pointee.flags & AV_PKT_FLAG_KEY != 0)
        }
        return nil
    }

    /// Every remaining packet.
    public func readAll() -> [Packet] {
        var packets: [Packet] = []
        while let next = next() { packets.append(next) }
        return packets
    }
}
