import Testing
import VigilVision

@Suite("Box downscaler")
struct BoxDownscalerTests {
    /// The reference: each output pixel the rounded mean of its block, computed plainly.
    private func reference(_ source: [UInt8], stride: Int, factors: (x: Int, y: Int), width: Int, height: Int) -> [UInt8] {
        let k = factors.x, ky = factors.y
        var out = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                var total = 0
                for dy in 0..<ky { for dx in 0..<k { total += Int(source[(y * ky + dy) * stride + x * k + dx]) } }
                out[y * width + x] = UInt8((total + k * ky / 2) / (k * ky))
            }
        }
        return out
    }

    @Test("every output pixel is the rounded mean of its block, for whole factors up to 16×16, non-square pixels, padded rows and odd widths",
          arguments: [(2, 2), (3, 3), (4, 4), (5, 5), (8, 8), (16, 16), (4, 3), (2, 1), (1, 2)])
    func matchesBlockMeans(k: Int, ky: Int) {
        var random = SystemRandomNumberGenerator()
        for (width, height) in [(1, 1), (7, 3), (33, 5)] {
            let stride = width * k + 13
            var source = [UInt8](repeating: 0, count: stride * height * ky)
            for i in source.indices { source[i] = UInt8.random(in: 0...255, using: &random) }
            // Extremes: all-white blocks must give 255 (the sum of 16×16 whites fits 16 bits).
            for x in 0..<(width * k) { for dy in 0..<ky { source[dy * stride + x] = 255 } }
            var scaler = BoxDownscaler()
            var out = [UInt8](repeating: 1, count: width * height)
            source.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { output in
                    scaler.downscale(source: input.baseAddress!, sourceStride: stride, factors: (k, ky),
                                     width: width, height: height, into: output.baseAddress!)
                }
            }
            #expect(out == reference(source, stride: stride, factors: (k, ky), width: width, height: height), "\(k)×\(ky), \(width)×\(height)")
            #expect(out[0] == 255)
        }
    }

    @Test("4×4 and 4×3 blocks give the rounded mean for every sum a block can have", arguments: [4, 3])
    func everySum(ky: Int) {
        // One row of blocks, block s summing to s: its bytes filled greedily with 255s.
        let sums = Array(0...(4 * ky * 255)), width = sums.count, stride = 4 * width
        var source = [UInt8](repeating: 0, count: stride * ky)
        for (block, sum) in sums.enumerated() {
            var left = sum
            for dy in 0..<ky {
                for dx in 0..<4 {
                    let value = min(255, left)
                    source[dy * stride + 4 * block + dx] = UInt8(value)
                    left -= value
                }
            }
        }
        var scaler = BoxDownscaler()
        var out = [UInt8](repeating: 0, count: width)
        source.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                scaler.downscale(source: input.baseAddress!, sourceStride: stride, factors: (4, ky), width: width, height: 1, into: output.baseAddress!)
            }
        }
        let wrong = sums.filter { Int(out[$0]) != ($0 + 2 * ky) / (4 * ky) }
        #expect(wrong.isEmpty, "sums rounded wrongly: \(wrong.prefix(10))")
    }

    @Test("factors are found only when both sides divide by whole numbers and the block fits 16 bits")
    func factorRules() {
        func factors(_ w: Int, _ h: Int, _ ow: Int, _ oh: Int) -> [Int]? {
            BoxDownscaler.factors(sourceWidth: w, sourceHeight: h, width: ow, height: oh).map { [$0.x, $0.y] }
        }
        #expect(factors(1920, 1080, 480, 270) == [4, 4])
        #expect(factors(960, 540, 480, 270) == [2, 2])
        #expect(factors(1280, 720, 480, 270) == nil)
        #expect(factors(1920, 1088, 480, 272) == [4, 4])
        // Anamorphic 1080p shown 4:3 (480×360): 4×3 blocks; other oblong blocks are left to libswscale.
        #expect(factors(1920, 1080, 480, 360) == [4, 3])
        #expect(factors(1920, 1080, 480, 540) == nil)
        #expect(factors(1920, 1080, 640, 270) == nil)
        #expect(factors(480, 270, 480, 270) == nil)
        #expect(factors(7680, 4320, 480, 270) == [16, 16])
        #expect(factors(9600, 5400, 480, 270) == nil)
    }
}
