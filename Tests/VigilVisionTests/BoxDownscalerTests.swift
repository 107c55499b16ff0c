import Testing
import VigilVision

@Suite("Box downscaler")
struct BoxDownscalerTests {
    /// The reference: each output pixel the rounded mean of its block, computed plainly.
    private func reference(_ source: [UInt8], stride: Int, factor k: Int, width: Int, height: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                var total = 0
                for dy in 0..<k { for dx in 0..<k { total += Int(source[(y * k + dy) * stride + x * k + dx]) } }
                out[y * width + x] = UInt8((total + k * k / 2) / (k * k))
            }
        }
        return out
    }

    @Test("every output pixel is the rounded mean of its block, for whole factors 2 to 15, padded rows and odd widths",
          arguments: [2, 3, 4, 5, 8, 15])
    func matchesBlockMeans(factor k: Int) {
        var random = SystemRandomNumberGenerator()
        for (width, height) in [(1, 1), (7, 3), (33, 5)] {
            let stride = width * k + 13
            var source = [UInt8](repeating: 0, count: stride * height * k)
            for i in source.indices { source[i] = UInt8.random(in: 0...255, using: &random) }
            // Extremes: all-white blocks must give 255 (the sum of 15×15 whites fits 16 bits).
            for x in 0..<(width * k) { for dy in 0..<k { source[dy * stride + x] = 255 } }
            var scaler = BoxDownscaler()
            var out = [UInt8](repeating: 1, count: width * height)
            source.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { output in
                    scaler.downscale(source: input.baseAddress!, sourceStride: stride, factor: k,
                                     width: width, height: height, into: output.baseAddress!)
                }
            }
            #expect(out == reference(source, stride: stride, factor: k, width: width, height: height), "k \(k), \(width)×\(height)")
            #expect(out[0] == 255)
        }
    }

    @Test("the factor is found only when both sides divide by the same whole number")
    func factorRules() {
        #expect(BoxDownscaler.factor(sourceWidth: 1920, sourceHeight: 1080, width: 480, height: 270) == 4)
        #expect(BoxDownscaler.factor(sourceWidth: 960, sourceHeight: 540, width: 480, height: 270) == 2)
        #expect(BoxDownscaler.factor(sourceWidth: 1280, sourceHeight: 720, width: 480, height: 270) == nil)
        #expect(BoxDownscaler.factor(sourceWidth: 1920, sourceHeight: 1088, width: 480, height: 272) == 4)
        #expect(BoxDownscaler.factor(sourceWidth: 1920, sourceHeight: 1080, width: 480, height: 360) == nil)
        #expect(BoxDownscaler.factor(sourceWidth: 480, sourceHeight: 270, width: 480, height: 270) == nil)
        #expect(BoxDownscaler.factor(sourceWidth: 7680, sourceHeight: 4320, width: 480, height: 270) == nil)
    }
}
