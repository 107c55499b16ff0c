import CFFmpeg
import VigilVision

/// Turns a decoded colour picture into packed RGB at any size through libswscale (area
/// filter), for the coloured heatmap and the annotated video at the source's size. The
/// conversion context is kept while the picture's size and format stay the same.
public final class PictureConverter {
    private var context: OpaquePointer?
    private var key: (Int32, Int32, Int32, Int, Int) = (0, 0, -1, 0, 0)

    public init() {}

    deinit { sws_freeContext(context) }

    /// Fills `pixels` (3 bytes a pixel, `width`×`height`, rows packed); false when libswscale
    /// cannot convert this picture (then `pixels` is left as it was).
    public func rgb(_ picture: VideoPicture, width: Int, height: Int, into pixels: inout [UInt8]) -> Bool {
        precondition(pixels.count == width * height * 3)
        let source = picture.frame
        let key = (source.pointee.width, source.pointee.height, source.pointee.format, width, height)
        if context == nil || key != self.key {
            sws_freeContext(context)
            let format = AVPixelFormat(rawValue: source.pointee.format)
            // libswscale asserts on formats it has no descriptor for: ask first.
            let convertible = av_pix_fmt_desc_get(format) != nil && sws_isSupportedInput(format) != 0 && key.0 > 0 && key.1 > 0
            context = convertible ? sws_getContext(source.pointee.width, source.pointee.height, format,
                                                   Int32(width), Int32(height), AV_PIX_FMT_RGB24, Int32(SWS_AREA), nil, nil, nil) : nil
            self.key = key
        }
        guard let context else { return false }
        var done = false
        pixels.withUnsafeMutableBufferPointer { target in
            var planes: (UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt8>?) =
                (target.baseAddress, nil, nil, nil)
            var strides: (Int32, Int32, Int32, Int32) = (Int32(width * 3), 0, 0, 0)
            withUnsafePointer(to: source.pointee.data) { sourcePlanes in
                withUnsafePointer(to: source.pointee.linesize) { sourceStrides in
                    sourcePlanes.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { sp in
                        sourceStrides.withMemoryRebound(to: Int32.self, capacity: 8) { ss in
                            withUnsafeMutablePointer(to: &planes) { p in
                                withUnsafeMutablePointer(to: &strides) { s in
                                    p.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 4) { p in
                                        s.withMemoryRebound(to: Int32.self, capacity: 4) { s in
                                            done = sws_scale(context, sp, ss, 0, source.pointee.height, p, s) == Int32(height)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return done
    }
}
