import CFFmpeg
#if canImport(Glibc)
import Glibc
#endif
import VigilVision

/// Still-image encoding through libavcodec (PNG for masks, JPEG for snapshots),
/// so Vigil links no image library of its own. Keeps one encoder per size and format.
public final class ImageEncoder {
    public enum Format: Sendable { case png, jpeg(quality: Int) }

    public let format: Format
    private var codecContext: UnsafeMutablePointer<AVCodecContext>?
    private let frame: UnsafeMutablePointer<AVFrame>
    private let packet: UnsafeMutablePointer<AVPacket>
    private var size = (width: 0, height: 0)
    private var preparedFormat = AV_PIX_FMT_NONE

    public init(format: Format) {
        self.format = format
        guard let frame = av_frame_alloc(), let packet = av_packet_alloc() else { fatalError("out of memory") }
        self.frame = frame
        self.packet = packet
    }

    deinit {
        avcodec_free_context(&codecContext)
        var framePointer: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&framePointer)
        var packetPointer: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&packetPointer)
    }

    /// Encodes a grey image into file bytes.
    public func encode(_ image: GrayImage) throws -> [UInt8] {
        try prepare(width: image.width, height: image.height)
        let result = av_frame_make_writable(frame)
        guard result >= 0 else { throw MediaError.encoderUnavailable(ffmpegErrorText(result)) }
        let stride = Int(frame.pointee.linesize.0)
        image.pixels.withUnsafeBufferPointer { source in
            for row in 0..<image.height {
                (frame.pointee.data.0! + row * stride).update(from: source.baseAddress! + row * image.width, count: image.width)
            }
        }
        if case .jpeg = format {
            let chromaHeight = (image.height + 1) / 2
            frame.pointee.data.1!.update(repeating: 128, count: Int(frame.pointee.linesize.1) * chromaHeight)
            frame.pointee.data.2!.update(repeating: 128, count: Int(frame.pointee.linesize.2) * chromaHeight)
        }
        return try Self.encodeStill(frame, with: codecContext!, into: packet, what: "image encoder")
    }

    /// Encodes and writes to `path`, replacing it atomically so a reader never sees half a file.
    public func write(_ image: GrayImage, to path: String) throws {
        let bytes = try encode(image)
        try FileBytes.writeAtomically(bytes, to: path)
    }

    /// Encodes packed RGB (3 bytes a pixel, rows without padding) into PNG bytes.
    public func encodeRGB(_ pixels: [UInt8], width: Int, height: Int) throws -> [UInt8] {
        precondition(pixels.count == width * height * 3)
        guard case .png = format else { throw MediaError.encoderUnavailable("colour pictures are written as PNG only") }
        try prepare(width: width, height: height, pixelFormat: AV_PIX_FMT_RGB24)
        let result = av_frame_make_writable(frame)
        guard result >= 0 else { throw MediaError.encoderUnavailable(ffmpegErrorText(result)) }
        let stride = Int(frame.pointee.linesize.0)
        pixels.withUnsafeBufferPointer { source in
            for row in 0..<height {
                (frame.pointee.data.0! + row * stride).update(from: source.baseAddress! + row * width * 3, count: width * 3)
            }
        }
        return try Self.encodeStill(frame, with: codecContext!, into: packet, what: "image encoder")
    }

    private func prepare(width: Int, height: Int, pixelFormat colour: AVPixelFormat? = nil) throws {
        let codecID: AVCodecID
        var pixelFormat: AVPixelFormat
        switch format {
        case .png: codecID = AV_CODEC_ID_PNG; pixelFormat = AV_PIX_FMT_GRAY8
        case .jpeg: codecID = AV_CODEC_ID_MJPEG; pixelFormat = AV_PIX_FMT_YUVJ420P
        }
        if let colour { pixelFormat = colour }
        if codecContext != nil && size == (width, height) && preparedFormat == pixelFormat { return }
        avcodec_free_context(&codecContext)
        av_frame_unref(frame)
        guard let encoder = avcodec_find_encoder(codecID) else {
            throw MediaError.encoderUnavailable(String(cString: avcodec_get_name(codecID)))
        }
        guard let context = avcodec_alloc_context3(encoder) else { fatalError("out of memory") }
        codecContext = context
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = pixelFormat
        context.pointee.time_base = AVRational(num: 1, den: 25)
        if case let .jpeg(quality) = format { Self.setJPEGQuality(context, quality) }
        let result = avcodec_open2(context, encoder, nil)
        guard result >= 0 else { throw MediaError.encoderUnavailable("image encoder: \(ffmpegErrorText(result))") }
        frame.pointee.format = pixelFormat.rawValue
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        guard av_frame_get_buffer(frame, 0) >= 0 else { fatalError("out of memory") }
        size = (width, height)
        preparedFormat = pixelFormat
    }
}

extension ImageEncoder {
    /// One picture through a still-image encoder (PNG, MJPEG): one frame in, one packet out.
    static func encodeStill(_ frame: UnsafeMutablePointer<AVFrame>, with context: UnsafeMutablePointer<AVCodecContext>,
                            into packet: UnsafeMutablePointer<AVPacket>, what: String, pts: Int64 = 0) throws -> [UInt8] {
        frame.pointee.pts = pts
        var result = avcodec_send_frame(context, frame)
        guard result >= 0 else { throw MediaError.encoderUnavailable("\(what): \(ffmpegErrorText(result))") }
        result = avcodec_receive_packet(context, packet)
        guard result >= 0 else { throw MediaError.encoderUnavailable("\(what): \(ffmpegErrorText(result))") }
        defer { av_packet_unref(packet) }
        return Array(UnsafeBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size)))
    }

    /// Maps a 1…100 quality onto MJPEG's fixed quantiser scale 31…2 (lower is better).
    static func setJPEGQuality(_ context: UnsafeMutablePointer<AVCodecContext>, _ quality: Int) {
        let q = 2 + (100 - min(100, max(1, quality))) * 29 / 99
        context.pointee.flags |= AV_CODEC_FLAG_QSCALE
        context.pointee.global_quality = Int32(FF_QP2LAMBDA * Int32(q))
    }
}

/// Small file helpers for the media layer's own outputs.
enum FileBytes {
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw MediaError.writeFailed(path: path, reason: String(cString: strerror(errno))) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(descriptor); unlink(temporary)
                throw MediaError.writeFailed(path: path, reason: reason)
            }
            offset += written
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw MediaError.writeFailed(path: path, reason: reason)
        }
    }
}
