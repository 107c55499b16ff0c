/// The global gain between a frame and a background model: the median of frame/background
/// over a sparse grid of pixels, 8.8 fixed point (256 = same light). The median ignores the
/// minority of pixels covered by objects. Shared by the background models. Each model
/// keeps the histogram (`histogramSize` counts) and passes it in: a temporary one of 2 KiB
/// would be allocated on the heap every frame (Swift keeps only up to 1 KiB on the stack).
enum GainEstimator {
    static let histogramSize = 512

    /// ⌈2³² / b⌉ for b in 1 … 255: (a × it) >> 32 is ⌊a / b⌋ for every a below 2¹⁶.
    static let reciprocals: [UInt64] = (0..<256).map { $0 == 0 ? 0 : ((UInt64(1) << 32) + UInt64($0) - 1) / UInt64($0) }

    /// `level(i)` is the background's grey level at pixel i.
    static func estimate(_ image: GrayImage, histogram: UnsafeMutableBufferPointer<Int32>, level: (Int) -> Int32) -> Int32 {
        precondition(histogram.count >= histogramSize, "the gain histogram needs \(histogramSize) counts")
        histogram.update(repeating: 0)
        var samples: Int32 = 0
        let width = image.width, height = image.height
        image.pixels.withUnsafeBufferPointer { input in
            reciprocals.withUnsafeBufferPointer { reciprocals in
                var y = 3
                while y < height {
                    var x = (y / 7) % 5
                    while x < width {
                        let index = y * width + x
                        let reference = level(index)
                        if reference >= 24 && reference <= 240 {
                            // Bin = ratio × 256, clamped to 0 … 511 (gains up to 2). The quotient
                            // by a multiply with the reference's reciprocal: exact for a 16-bit
                            // dividend, and a divide per sample was most of this pass.
                            let quotient = (UInt64(input[index]) << 8 &* reciprocals[Int(reference)]) >> 32
                            let bin = Int32(min(511, quotient))
                            histogram[Int(bin)] += 1
                            samples += 1
                        }
                        x += 5
                    }
                    y += 4
                }
            }
        }
        guard samples > 64 else { return 256 }
        var seen: Int32 = 0
        for bin in 0..<512 {
            seen += histogram[bin]
            if seen * 2 >= samples { return Int32(max(1, bin)) }
        }
        return 256
    }
}
