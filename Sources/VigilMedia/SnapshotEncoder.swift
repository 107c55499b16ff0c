import CFFmpeg
import VigilVision

/// Event snapshots: the full-resolution picture as a colour JPEG through libavcodec's
/// MJPEG encoder, with the event's box drawn in red so an operator sees at once what
/// the event is about.
public final class SnapshotEncoder {
    public let quality: Int
    /// Pictures wider than this are scaled down (keeping the aspect ratio); nil keeps full size.
    public let maxWidth: Int?
    private var converter: OpaquePointer?
    private var converterKey: (width: Int32, height: Int32, format: Int32) = (0, 0, -1)
    private let canvas: UnsafeMutablePointer<AVFrame>
    private var codecContext: UnsafeMutablePointer<AVCodecContext>?
    private let packet: UnsafeMutablePointer<AVPacket>
    private var nextPTS: Int64 = 0

    public init(quality: Int = 85, maxWidth: Int? = nil) {
        self.quality = quality
        self.maxWidth = maxWidth
        guard let canvas = av_frame_alloc(), let packet = av_packet_alloc() else { fatalError("out of memory") }
        self.canvas = canvas
        self.packet = packet
    }

    deinit {
        sws_freeContext(converter)
        avcodec_free_context(&codecContext)
        av_frame_free_wrapper(canvas)
        av_packet_free_wrapper(packet)
    }

    /// JPEG bytes of `picture`, with `box` (normalized [x, y, width, height]) outlined.
    public func jpeg(_ picture: VideoPicture, box: Box? = nil) throws -> [UInt8] {
        let source = picture.frame
        let sourceWidth = source.pointee.width, sourceHeight = source.pointee.height
        try prepare(width: sourceWidth, height: sourceHeight, format: source.pointee.format)
        let width = canvas.pointee.width, height = canvas.pointee.height
        let result = av_frame_make_writable(canvas)
        guard result >= 0 else { throw MediaError.encoderUnavailable("snapshot: \(ffmpegErrorText(result))") }
        withUnsafePointer(to: source.pointee.data) { sourcePlanes in
            withUnsafePointer(to: source.pointee.linesize) { sourceStrides in
                withUnsafePointer(to: canvas.pointee.data) { canvasPlanes in
                    withUnsafePointer(to: canvas.pointee.linesize) { canvasStrides in
                        sourcePlanes.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { sp in
                            sourceStrides.withMemoryRebound(to: Int32.self, capacity: 8) { ss in
                                canvasPlanes.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { cp in
                                    canvasStrides.withMemoryRebound(to: Int32.self, capacity: 8) { cs in
                                        _ = sws_scale(converter, sp, ss, 0, sourceHeight, cp, cs)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let box { drawBox(box, width: Int(width), height: Int(height)) }
        // MJPEG's encoder (mpegvideo) refuses a picture whose pts is not past the last one's.
        nextPTS += 1
        return try ImageEncoder.encodeStill(canvas, with: codecContext!, into: packet, what: "snapshot", pts: nextPTS)
    }

    /// A red outline about 1/200 of the picture's width thick, on luma and both chroma planes.
    private func drawBox(_ box: Box, width: Int, height: Int) {
        let left = max(0, min(width - 1, Int(box.x * Double(width)))), right = max(0, min(width - 1, Int((box.x + box.width) * Double(width))))
        let top = max(0, min(height - 1, Int(box.y * Double(height)))), bottom = max(0, min(height - 1, Int((box.y + box.height) * Double(height))))
        guard left < right && top < bottom else { return }
        let thickness = max(2, width / 200) & ~1
        // Red in full-range BT.601: Y 76, Cb 85, Cr 255.
        func paint(plane: Int, value: UInt8, scale: Int) {
            let data = plane == 0 ? canvas.pointee.data.0! : plane == 1 ? canvas.pointee.data.1! : canvas.pointee.data.2!
            let stride = Int(plane == 0 ? canvas.pointee.linesize.0 : plane == 1 ? canvas.pointee.linesize.1 : canvas.pointee.linesize.2)
            let l = left / scale, r = right / scale, t = top / scale, b = bottom / scale, w = max(1, thickness / scale)
            for y in t...b {
                let row = data + y * stride
                if y < t + w || y > b - w {
                    (row + l).update(repeating: value, count: r - l + 1)
                } else {
                    (row + l).update(repeating: value, count: min(w, r - l + 1))
                    (row + max(l, r - w + 1)).update(repeating: value, count: min(w, r - l + 1))
                }
            }
        }
        paint(plane: 0, value: 76, scale: 1)
        paint(plane: 1, value: 85, scale: 2)
        paint(plane: 2, value: 255, scale: 2)
    }

    private func prepare(width: Int32, height: Int32, format: Int32) throws {
        if converter != nil && converterKey == (width, height, format) { return }
        sws_freeContext(converter)
        guard width > 0, height > 0 else { throw MediaError.encoderUnavailable("snapshot: the picture is empty") }
        // Even sizes: 4:2:0 chroma planes are half size.
        var outputWidth = width, outputHeight = height
        if let maxWidth, Int(width) > maxWidth {
            outputWidth = Int32(maxWidth) & ~1
            outputHeight = max(2, Int32((Double(height) * Double(outputWidth) / Double(width)).rounded()) & ~1)
        }
        converter = sws_getContext(width, height, AVPixelFormat(rawValue: format), outputWidth, outputHeight, AV_PIX_FMT_YUVJ420P,
                                   SWS_BILINEAR, nil, nil, nil)
        guard converter != nil else { throw MediaError.encoderUnavailable("snapshot: cannot convert this pixel format") }
        converterKey = (width, height, format)
        av_frame_unref(canvas)
        canvas.pointee.format = AV_PIX_FMT_YUVJ420P.rawValue
        canvas.pointee.width = outputWidth
        canvas.pointee.height = outputHeight
        guard av_frame_get_buffer(canvas, 0) >= 0 else { fatalError("out of memory for a snapshot") }
        avcodec_free_context(&codecContext)
        nextPTS = 0
        guard let encoder = avcodec_find_encoder(AV_CODEC_ID_MJPEG), let context = avcodec_alloc_context3(encoder) else {
            throw MediaError.encoderUnavailable("mjpeg")
        }
        codecContext = context
        context.pointee.width = outputWidth
        context.pointee.height = outputHeight
        context.pointee.pix_fmt = AV_PIX_FMT_YUVJ420P
        context.pointee.time_base = AVRational(num: 1, den: 25)
        ImageEncoder.setJPEGQuality(context, quality)
        let result = avcodec_open2(context, encoder, nil)
        guard result >= 0 else { throw MediaError.encoderUnavailable("mjpeg: \(ffmpegErrorText(result))") }
    }
}
