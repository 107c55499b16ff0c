import Foundation
import Testing
import VigilVision

/// `ShakeEstimator` on hand-made pictures: a road-like scene of sharp lane markings and kerbs on
/// a textured surface, shifted by known fractions of a pixel; and the consensus model on a still
/// camera that jumps once, as m30-hd's does in its last two frames.
@Suite("Camera shake: measured and brought back into line")
struct ShakeEstimatorTests {
    static let width = 240, height = 136

    /// A street-like picture: a smooth gradient, forty blocks of other greys (buildings, windows,
    /// parked vans), lane markings at an angle and a dark kerb; with `noiseSeed`, sensor noise.
    static func scene(noiseSeed: UInt64 = 0) -> GrayImage {
        var image = GrayImage(width: width, height: height)
        var blocks = 0x2545_F491_4F6C_DD1D as UInt64
        func next(_ bound: Int) -> Int {
            blocks = blocks &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((blocks >> 33) % UInt64(bound))
        }
        var values = [Double](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let fx = Double(x), fy = Double(y)
                var value = 90 + 0.2 * fx + 20 * sin(fx * 0.05 + fy * 0.08)
                if Int(fx + 0.6 * fy) % 23 < 3 && y > 60 { value += 80 }
                if y > 100 && y < 104 { value -= 60 }
                values[y * width + x] = value
            }
        }
        for _ in 0..<40 {
            let left = next(width - 8), top = next(height - 8)
            let right = min(width, left + 4 + next(30)), bottom = min(height, top + 4 + next(24))
            let grey = Double(next(200) - 100)
            for y in top..<bottom { for x in left..<right { values[y * width + x] += grey * 0.6 } }
        }
        var state = noiseSeed &+ 0x9E37_79B9_7F4A_7C15
        for index in values.indices {
            var value = values[index]
            if noiseSeed != 0 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                value += Double(Int(state >> 61) - 3)
            }
            image.pixels[index] = UInt8(max(0, min(255, value.rounded())))
        }
        return image
    }

    static func shifted(_ image: GrayImage, by shift: (x: Double, y: Double)) -> GrayImage {
        var out = GrayImage(width: width, height: height)
        image.pixels.withUnsafeBufferPointer { source in
            out.pixels.withUnsafeMutableBufferPointer { target in
                ShakeEstimator.shift(source.baseAddress!, by: shift, width: width, height: height, into: target.baseAddress!)
            }
        }
        return out
    }

    static func measure(_ estimator: inout ShakeEstimator, frame: GrayImage, reference: GrayImage) -> (x: Double, y: Double)? {
        frame.pixels.withUnsafeBufferPointer { f in
            reference.pixels.withUnsafeBufferPointer { r in
                estimator.measure(frame: f.baseAddress!, reference: r.baseAddress!, width: width, height: height)
            }
        }
    }

    @Test("shifts from half a pixel to two and a half are measured to within 0.15 px, each way",
          arguments: [(1.5, -0.75), (-0.6, 0.0), (0.0, 1.2), (2.4, 2.2), (-1.0, -2.0)])
    func measured(dx: Double, dy: Double) {
        let reference = Self.scene()
        // The camera moved so that the picture's content went by (dx, dy).
        let frame = Self.shifted(reference, by: (-dx, -dy))
        var estimator = ShakeEstimator()
        let shift = Self.measure(&estimator, frame: frame, reference: reference)
        #expect(shift != nil, "a shift of (\(dx), \(dy)) was not taken; \(estimator.lastCandidate)")
        guard let shift else { return }
        #expect(abs(shift.x - dx) < 0.15 && abs(shift.y - dy) < 0.15, "measured \(shift) for content moved by (\(dx), \(dy))")
        #expect(estimator.framesShifted == 1)
    }

    @Test("the frame shifted back lies at least twice as close to the reference")
    func backInLine() {
        let reference = Self.scene()
        let frame = Self.shifted(reference, by: (1.3, -0.8))
        var estimator = ShakeEstimator()
        let shift = Self.measure(&estimator, frame: frame, reference: reference)
        #expect(shift != nil)
        guard let shift else { return }
        let steadied = Self.shifted(frame, by: shift)
        var before = 0, after = 0, count = 0
        for y in 6..<(Self.height - 6) {
            for x in 6..<(Self.width - 6) {
                let index = y * Self.width + x
                before += abs(Int(frame.pixels[index]) - Int(reference.pixels[index]))
                after += abs(Int(steadied.pixels[index]) - Int(reference.pixels[index]))
                count += 1
            }
        }
        // Not closer still: the test's shift and the one back each interpolate, and blur edges.
        #expect(after * 2 < before, "after \(Double(after) / Double(count)), before \(Double(before) / Double(count))")
        #expect(Double(before) / Double(count) > 5, "the shift made a difference to begin with")
    }

    @Test("a still camera is left alone: a tenth of a pixel, and a large object moving across")
    func stillCamera() {
        let reference = Self.scene()
        var estimator = ShakeEstimator()
        #expect(Self.measure(&estimator, frame: Self.shifted(reference, by: (0.1, -0.1)), reference: reference) == nil)
        // A bright lorry a third of the picture wide and half its height, with stripes of its own.
        var frame = reference
        for y in 30..<100 {
            for x in 60..<140 { frame.pixels[y * Self.width + x] = (x / 4) % 2 == 0 ? 230 : 190 }
        }
        #expect(Self.measure(&estimator, frame: frame, reference: reference) == nil)
        #expect(estimator.framesShifted == 0 && estimator.lastShift == (0, 0))
        // The same estimator still takes a real shift: it was measuring, not switched off.
        #expect(Self.measure(&estimator, frame: Self.shifted(reference, by: (1.5, 0)), reference: reference) != nil)
        #expect(estimator.framesShifted == 1)
    }

    @Test("integer shifts copy pixels exactly, edges repeated")
    func wholePixels() {
        let reference = Self.scene()
        let moved = Self.shifted(reference, by: (2, -1))
        for (x, y) in [(0, 0), (50, 40), (Self.width - 3, Self.height - 1), (Self.width - 1, 0)] {
            let sx = min(Self.width - 1, max(0, x + 2)), sy = min(Self.height - 1, max(0, y - 1))
            #expect(moved.pixels[y * Self.width + x] == reference.pixels[sy * Self.width + sx], "at (\(x), \(y))")
        }
    }

    /// Foreground share of the consensus model's mask on a frame of the scene moved by 1.5 px
    /// down and 0.7 px across, after 40 still frames with sensor noise.
    static func jolt(compensate: Bool) -> (foreground: Double, steadied: Int, shift: (x: Double, y: Double)) {
        var tuning = SampleConsensusMotion.Tuning()
        tuning.compensateShake = compensate
        var model = SampleConsensusMotion(settings: MotionSettings(), tuning: tuning)
        for frame in 0..<40 { _ = model.analyze(Self.scene(noiseSeed: UInt64(frame + 1))) }
        let observation = model.analyze(Self.shifted(Self.scene(noiseSeed: 99), by: (-0.7, -1.5)))
        return (observation.motionFraction ?? 0, model.framesSteadied, model.lastShift)
    }

    @Test("the consensus model on a camera that jumps 1.5 px: no foreground when steadied, the markings without")
    func consensusJolt() {
        let steady = Self.jolt(compensate: true)
        let plain = Self.jolt(compensate: false)
        #expect(steady.steadied == 1, "frames steadied \(steady.steadied)")
        #expect(abs(steady.shift.x - 0.7) < 0.2 && abs(steady.shift.y - 1.5) < 0.2, "shift \(steady.shift)")
        #expect(steady.foreground < 0.002, "steadied: \(steady.foreground) of the frame foreground")
        #expect(plain.foreground > 0.02, "not steadied: \(plain.foreground) (the markings' edges)")
        #expect(plain.steadied == 0)
    }
}
