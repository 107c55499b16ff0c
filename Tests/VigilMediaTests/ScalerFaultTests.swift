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
