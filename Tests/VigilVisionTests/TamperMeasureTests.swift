import Testing
import VigilSynth
import VigilVision

/// The tamper detector's measures against a direct computation over the same grid (every 4th
/// pixel of every 4th row, each sample in the 16×9 cell its position falls in), for widths
/// that do and do not divide by 4 or 16 and the smallest picture it measures.
@Suite("Tamper measures")
struct TamperMeasureTests {
    struct Direct {
        var mean = 0.0, deviation = 0.0, sharpness = 0.0
        var thumbnail = [Double](repeating: 0, count: 16 * 9)
    }

    /// One sample at a time, its cell found by division: slow and plain.
    static func direct(_ image: GrayImage) -> Direct {
        let width = image.width, height = image.height
        var sum = 0, squares = 0, gradient = 0, samples = 0, gradientSamples = 0
        var cells = [Int](repeating: 0, count: 144), counts = [Int](repeating: 0, count: 144)
        for y in stride(from: 0, to: height, by: 4) {
            for x in stride(from: 0, to: width, by: 4) {
                let value = Int(image.pixels[y * width + x])
                sum += value
                squares += value * value
                samples += 1
                if x + 1 < width && y + 1 < height {
                    gradient += abs(Int(image.pixels[y * width + x + 1]) - value) + abs(Int(image.pixels[(y + 1) * width + x]) - value)
                    gradientSamples += 1
                }
                let cell = min(8, y * 9 / height) * 16 + min(15, x * 16 / width)
                cells[cell] += value
                counts[cell] += 1
            }
        }
        var out = Direct()
        out.mean = Double(sum) / Double(samples)
        out.deviation = max(0, Double(squares) / Double(samples) - out.mean * out.mean).squareRoot()
        out.sharpness = Double(gradient) / Double(max(1, gradientSamples)) / max(1, out.deviation)
        out.thumbnail = (0..<144).map { Double(cells[$0]) / Double(max(1, counts[$0])) }
        return out
    }

    /// Cells within half a unit of each other's contrast, as the detector defines a layout match.
    static func matching(_ a: [Double], _ b: [Double]) -> Double {
        func normalised(_ values: [Double]) -> [Double] {
            let mean = values.reduce(0, +) / Double(values.count)
            let deviation = max(1, (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot())
            return values.map { ($0 - mean) / deviation }
        }
        let x = normalised(a), y = normalised(b)
        return Double(zip(x, y).filter { abs($0 - $1) < 0.5 }.count) / Double(a.count)
    }

    @Test("mean, contrast, sharpness and layout equal the direct computation", arguments: [(16, 9), (17, 10), (21, 13), (480, 270), (481, 271), (483, 272), (640, 360)])
    func measuresMatch(size: (Int, Int)) {
        let (width, height) = size
        var random = SeededRandom(seed: UInt64(width * 1000 + height))
        func picture(_ shift: Int) -> GrayImage {
            var image = GrayImage(width: width, height: height)
            for y in 0..<height {
                for x in 0..<width {
                    // A gradient with texture, so every cell differs and edges are everywhere.
                    image.pixels[y * width + x] = UInt8(clamping: (x + shift) * 200 / width + y * 40 / height + Int(random.uniform(0, 15)))
                }
            }
            return image
        }
        let reference = picture(0), other = picture(width / 3)
        var detector = TamperDetector()
        for _ in 0..<detector.settings.learningFrames { _ = detector.analyze(reference) }
        _ = detector.analyze(other)
        let expected = Self.direct(other), learned = Self.direct(reference)
        #expect(abs(detector.last.mean - expected.mean) < 1e-9)
        #expect(abs(detector.last.deviation - expected.deviation) < 1e-9)
        #expect(abs(detector.last.sharpness - expected.sharpness) < 1e-9)
        // The reference is the learning frames' blend, equal to the one picture they all were
        // (up to rounding), so the layout is the direct thumbnails' match.
        #expect(abs(detector.last.layout - Self.matching(expected.thumbnail, learned.thumbnail)) < 1e-9)
        // The shifted picture must not match everywhere, or the layout test shows nothing.
        #expect(detector.last.layout < 1)
    }
}
