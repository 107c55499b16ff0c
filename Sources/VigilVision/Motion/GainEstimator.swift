/// The global gain between a frame and a background model: the median of frame/background
/// over a sparse grid of pixels, 8.8 fixed point (256 = same light). The median ignores the
/// minority of pixels covered by objects. Shared by the background models; its histogram
/// lives on the stack, so nothing is allocated per frame and it holds no state.
enum GainEstimator {
    /// `level(i)` is the background's grey level at pixel i.
    static func estimate(_ image: GrayImage, level: (Int) -> Int32) -> Int32 {
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 512) { histogram in
            histogram.initialize(repeating: 0)
            return median(image, level: level, histogram: histogram)
        }
    }

    private static func median(_ image: GrayImage, level: (Int) -> Int32, histogram: UnsafeMutableBufferPointer<Int32>) -> Int32 {
        var samples: Int32 = 0
        let width = image.width, height = image.height
        image.pixels.withUnsafeBufferPointer { input in
                var y = 3
                while y < height {
                    var x = (y / 7) % 5
                    while x < width {
                        let index = y * width + x
                        let reference = level(index)
                        if reference >= 24 && reference <= 240 {
                            // Bin = ratio × 256, clamped to 0 … 511 (gains up to 2).
                            let bin = min(511, (Int32(input[index]) << 8) / reference)
                            histogram[Int(bin)] += 1
                            samples += 1
                        }
                        x += 5
                    }
                    y += 4
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
