import CFFmpeg
import Testing
@testable import VigilMedia
import VigilVision

/// A picture libswscale cannot turn into grey is an error for the caller, not a crash
/// (a live worker would crash-loop on every frame the camera sends).
@Suite("Scaling pictures it cannot convert")
struct ScalerFaultTests {
    @Test("an unconvertible pixel format throws a clear error and the scaler recovers on the next good picture", arguments: [AV_PIX_FMT_VAAPI, AV_PIX_FMT_NONE])
    func unconvertible(format: AVPixelFormat) throws {
        var frame: UnsafeMutablePointer<AVFrame>? = av_frame_alloc()
        defer { av_frame_free(&frame) }
        let picture = try #require(frame)
        picture.pointee.width = 64
        picture.pointee.height = 48
        picture.pointee.format = format.rawValue
        let scaler = LumaScaler(size: AnalysisSize(width: 32))
        var image = GrayImage(width: 1, height: 1)
        #expect(throws: LumaScaler.ScaleError.self) {
            try scaler.scale(DecodedFrame(index: 0, pts: 0, picture: UnsafePointer(picture)), into: &image)
        }
        do {
            try scaler.scale(DecodedFrame(index: 0, pts: 0, picture: UnsafePointer(picture)), into: &image)
        } catch {
            #expect(error.description.contains("cannot convert 64×48"), "\(error)")
        }
        // The same scaler then converts an ordinary grey picture.
        picture.pointee.format = AV_PIX_FMT_GRAY8.rawValue
        #expect(av_frame_get_buffer(picture, 0) == 0)
        try scaler.scale(DecodedFrame(index: 1, pts: 0.04, picture: UnsafePointer(picture)), into: &image)
        #expect(image.width == 32 && image.height == 24)
    }
}

@Suite("Luma scaler paths")
struct LumaScalerPathTests {
    /// A 1920×1080 YUV picture with a gradient and noise in luma (and chroma left random).
    private func picture(format: AVPixelFormat) throws -> UnsafeMutablePointer<AVFrame> {
        let picture = try #require(av_frame_alloc())
        picture.pointee.width = 1920
        picture.pointee.height = 1080
        picture.pointee.format = format.rawValue
        #expect(av_frame_get_buffer(picture, 0) == 0)
        var seed: UInt32 = 7
        let stride = Int(picture.pointee.linesize.0)
        for y in 0..<1080 {
            for x in 0..<1920 {
                seed = seed &* 1_664_525 &+ 1_013_904_223
                picture.pointee.data.0![y * stride + x] = UInt8(truncatingIfNeeded: (x + y) / 12 + Int(seed >> 29))
            }
        }
        return picture
    }

    /// Square pixels give 4×4 blocks (480×270); pixels 3:4, shown 4:3, give 4×3 (480×360).
    @Test("1080p at 480 wide takes the one-pass box scaler, which gives each block's rounded mean and agrees with libswscale's area filter to one grey level",
          arguments: [(1, 1, 270), (3, 4, 360)])
    func boxMatchesSwscale(aspectWidth: Int32, aspectHeight: Int32, height: Int) throws {
        var frame: UnsafeMutablePointer<AVFrame>? = try picture(format: AV_PIX_FMT_YUV420P)
        defer { av_frame_free(&frame) }
        frame!.pointee.sample_aspect_ratio = AVRational(num: aspectWidth, den: aspectHeight)
        let decoded = DecodedFrame(index: 0, pts: 0, picture: UnsafePointer(frame!))
        let box = LumaScaler(size: AnalysisSize(width: 480), filter: .area)
        var boxed = GrayImage(width: 0, height: 0)
        try box.scale(decoded, into: &boxed)
        #expect(box.usesBoxScaler)
        #expect(boxed.width == 480 && boxed.height == height)
        // Exactly the rounded mean of each 4×ky block…
        let stride = Int(frame!.pointee.linesize.0), ky = 1080 / height
        var worst = 0
        for y in 0..<height {
            for x in 0..<480 {
                var total = 0
                for dy in 0..<ky { for dx in 0..<4 { total += Int(frame!.pointee.data.0![(y * ky + dy) * stride + x * 4 + dx]) } }
                worst = max(worst, abs((total + 2 * ky) / (4 * ky) - Int(boxed[x, y])))
            }
        }
        #expect(worst == 0)
        // …and what libswscale's area filter gives, within a grey level of rounding.
        let swscale = LumaScaler(size: AnalysisSize(width: 480), filter: .area)
        swscale.boxScalerAllowed = false
        var reference = GrayImage(width: 0, height: 0)
        try swscale.scale(decoded, into: &reference)
        #expect(!swscale.usesBoxScaler)
        #expect(reference.width == 480 && reference.height == height)
        var largest = 0, total = 0
        for i in 0..<reference.pixels.count {
            let difference = abs(Int(reference.pixels[i]) - Int(boxed.pixels[i]))
            largest = max(largest, difference)
            total += difference
        }
        print("box (4×\(ky)) against libswscale area: largest difference \(largest), mean \(Double(total) / Double(reference.pixels.count))")
        #expect(largest <= 1)
    }

    @Test("a ratio that is not whole goes through libswscale")
    func otherRatios() throws {
        var frame: UnsafeMutablePointer<AVFrame>? = try picture(format: AV_PIX_FMT_YUV420P)
        defer { av_frame_free(&frame) }
        let scaler = LumaScaler(size: AnalysisSize(width: 720), filter: .area)
        var image = GrayImage(width: 0, height: 0)
        try scaler.scale(DecodedFrame(index: 0, pts: 0, picture: UnsafePointer(frame!)), into: &image)
        #expect(!scaler.usesBoxScaler)
        #expect(image.width == 720 && image.height == 405)
        #expect(abs(image.mean() - 128) < 10, "mean \(image.mean())")
    }
}
