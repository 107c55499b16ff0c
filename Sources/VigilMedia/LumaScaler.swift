import CFFmpeg
import VigilVision

/// The libswscale filter used to shrink luma; cheaper filters alias more.
public enum ScaleFilter: String, Sendable, CaseIterable {
    case point, fastBilinear = "fast-bilinear", bilinear, area

    var swsFlags: Int32 {
        switch self {
        case .point: return SWS_POINT
        case .fastBilinear: return SWS_FAST_BILINEAR
        case .bilinear: return SWS_BILINEAR
        case .area: return SWS_AREA
        }
    }
}

/// How the analysis frame is sized.
public struct AnalysisSize: Sendable, Equatable {
    /// Target width in pixels; the height follows the display aspect ratio.
    public var width: Int
    public init(width: Int = 480) { self.width = width }

    /// Sources narrower than the target keep their size: upscaling adds cost, not detail.
    public func outputSize(sourceWidth: Int, sourceHeight: Int, sampleAspectRatio: Double = 1) -> (width: Int, height: Int) {
        let displayWidth = Double(sourceWidth) * (sampleAspectRatio > 0 ? sampleAspectRatio : 1)
        let outWidth = min(width, Int(displayWidth.rounded()))
        let outHeight = max(1, Int((Double(outWidth) * Double(sourceHeight) / displayWidth).rounded()))
        return (max(1, outWidth), outHeight)
    }
}

/// Turns decoded pictures into downscaled 8-bit luma.
///
/// For planar YUV sources the luma plane is scaled on its own as grey, so chroma is
/// never touched. With the `area` filter at a whole ratio (1080p to 480×270 is 4) the
/// luma plane is box-averaged by `BoxDownscaler` in one pass; any other ratio, filter or
/// pixel format goes through libswscale. The scaler is rebuilt only when the source
/// size or format changes.
public final class LumaScaler {
    public let size: AnalysisSize
    public let flags: Int32
    private var context: OpaquePointer?
    private var key: (width: Int32, height: Int32, format: Int32, sar: Double) = (0, 0, -1, 0)
    private var lumaOnly = false
    private let filter: ScaleFilter
    private var box = BoxDownscaler()
    /// The whole ratio the box scaler uses for the current source, or nil for libswscale.
    private var boxFactors: (x: Int, y: Int)?
    /// Off only in tests, to compare the box scaler with libswscale's area filter.
    var boxScalerAllowed = true
    public private(set) var outputWidth = 0
    public private(set) var outputHeight = 0

    public init(size: AnalysisSize = AnalysisSize(), filter: ScaleFilter = .area) {
        self.size = size
        self.flags = filter.swsFlags
        self.filter = filter
    }

    /// Which scaler the current source goes through (for reports and tests).
    public var usesBoxScaler: Bool { boxFactors != nil }

    deinit { sws_freeContext(context) }

    /// Scales `frame` into `image`, resizing `image` (without reallocating when
    /// its size is unchanged).
    public func scale(_ frame: DecodedFrame, into image: inout GrayImage) throws(ScaleError) {
        let picture = frame.picture
        try configure(for: picture)
        image.resize(width: outputWidth, height: outputHeight)
        if let boxFactors, picture.pointee.linesize.0 > 0, let luma = picture.pointee.data.0 {
            let width = outputWidth, height = outputHeight, stride = Int(picture.pointee.linesize.0)
            image.pixels.withUnsafeMutableBufferPointer { destination in
                box.downscale(source: UnsafePointer(luma), sourceStride: stride, factors: boxFactors, width: width, height: height,
                              into: destination.baseAddress!)
            }
            return
        }
        image.pixels.withUnsafeMutableBufferPointer { destination in
            // Tuples, not arrays: nothing is allocated per frame.
            var destinationPlanes: (UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt8>?) =
                (destination.baseAddress, nil, nil, nil)
            var destinationStrides: (Int32, Int32, Int32, Int32) = (Int32(outputWidth), 0, 0, 0)
            withSourcePlanes(picture) { sourcePlanes, sourceStrides in
                withUnsafeMutablePointer(to: &destinationPlanes) { planes in
                    withUnsafeMutablePointer(to: &destinationStrides) { strides in
                        planes.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 4) { p in
                            strides.withMemoryRebound(to: Int32.self, capacity: 4) { s in
                                _ = sws_scale(context, sourcePlanes, sourceStrides, 0, picture.pointee.height, p, s)
                            }
                        }
                    }
                }
            }
        }
    }

    private func withSourcePlanes(_ picture: UnsafePointer<AVFrame>, _ body: (UnsafePointer<UnsafePointer<UInt8>?>, UnsafePointer<Int32>) -> Void) {
        var planes: (UnsafePointer<UInt8>?, UnsafePointer<UInt8>?, UnsafePointer<UInt8>?, UnsafePointer<UInt8>?) =
            (UnsafePointer(picture.pointee.data.0), UnsafePointer(picture.pointee.data.1),
             UnsafePointer(picture.pointee.data.2), UnsafePointer(picture.pointee.data.3))
        var strides = (picture.pointee.linesize.0, picture.pointee.linesize.1, picture.pointee.linesize.2, picture.pointee.linesize.3)
        if lumaOnly {
            planes.1 = nil; planes.2 = nil; planes.3 = nil
            strides.1 = 0; strides.2 = 0; strides.3 = 0
        }
        withUnsafePointer(to: &planes) { planesPointer in
            withUnsafePointer(to: &strides) { stridesPointer in
                planesPointer.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 4) { p in
                    stridesPointer.withMemoryRebound(to: Int32.self, capacity: 4) { s in body(p, s) }
                }
            }
        }
    }

    /// Why a decoded picture cannot become an analysis frame.
    public struct ScaleError: Error, CustomStringConvertible {
        public var pixelFormat: String
        public var width: Int
        public var height: Int
        public var description: String { "libswscale cannot convert \(width)×\(height) pictures in pixel format \(pixelFormat) to grey" }
    }

    private func configure(for picture: UnsafePointer<AVFrame>) throws(ScaleError) {
        let width = picture.pointee.width, height = picture.pointee.height, format = picture.pointee.format
        let sar = picture.pointee.sample_aspect_ratio.num > 0 && picture.pointee.sample_aspect_ratio.den > 0
            ? av_q2d(picture.pointee.sample_aspect_ratio) : 1
        if context != nil && key.width == width && key.height == height && key.format == format && key.sar == sar { return }
        key = (width, height, format, sar)
        sws_freeContext(context)
        let pixelFormat = AVPixelFormat(rawValue: format)
        lumaOnly = Self.hasPlainLumaPlane(pixelFormat)
        let out = size.outputSize(sourceWidth: Int(width), sourceHeight: Int(height), sampleAspectRatio: sar)
        outputWidth = out.width
        outputHeight = out.height
        // A positive stride only: a bottom-up picture goes through libswscale.
        boxFactors = boxScalerAllowed && lumaOnly && filter == .area && picture.pointee.linesize.0 > 0
            ? BoxDownscaler.factors(sourceWidth: Int(width), sourceHeight: Int(height), width: outputWidth, height: outputHeight)
            : nil
        // libswscale asserts (aborts the process) on a format it has no descriptor for, so
        // ask first whether it takes this one as input at all.
        let convertible = av_pix_fmt_desc_get(pixelFormat) != nil && sws_isSupportedInput(pixelFormat) != 0 && width > 0 && height > 0
        context = !convertible ? nil : sws_getContext(width, height, lumaOnly ? AV_PIX_FMT_GRAY8 : pixelFormat,
                                                      Int32(outputWidth), Int32(outputHeight), AV_PIX_FMT_GRAY8,
                                                      flags, nil, nil, nil)
        if context == nil {
            // A camera that switches to an odd format must not crash a worker: say so and
            // let the caller treat it as a stream fault. Rebuild next time.
            key = (0, 0, -1, 0)
            let name = av_get_pix_fmt_name(pixelFormat).map { String(cString: $0) } ?? "unknown (\(format))"
            throw ScaleError(pixelFormat: name, width: Int(width), height: Int(height))
        }
    }

    /// Whether plane 0 holds 8-bit luma one byte per pixel, so it can be scaled as grey.
    static func hasPlainLumaPlane(_ format: AVPixelFormat) -> Bool {
        guard let descriptor = av_pix_fmt_desc_get(format) else { return false }
        let flags = descriptor.pointee.flags
        let excluded = UInt64(AV_PIX_FMT_FLAG_RGB) | UInt64(AV_PIX_FMT_FLAG_PAL) | UInt64(AV_PIX_FMT_FLAG_HWACCEL) | UInt64(AV_PIX_FMT_FLAG_BITSTREAM)
        guard flags & excluded == 0 else { return false }
        let luma = descriptor.pointee.comp.0
        return luma.plane == 0 && luma.depth == 8 && luma.step == 1 && luma.shift == 0
    }
}
