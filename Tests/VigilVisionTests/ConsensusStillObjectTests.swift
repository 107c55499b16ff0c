import Testing
import VigilVision

/// What the consensus model does with an object that arrives and stays (a car parked for the
/// day, a caption the camera burns in), on hand-made frames: a noisy grey floor and a dark
/// car that parks after the warm-up. It stays foreground while it is still for less than
/// `absorbStillFrames`, and then becomes background; with 0 it stays foreground for ever.
@Suite("Consensus motion: objects that stay are let go")
struct ConsensusStillObjectTests {
    static let width = 64, height = 48
    static let car = (x: 20..<36, y: 18..<28)
    static let parksAt = 30

    /// Frame `index`: the floor with a little sensor noise (fixed by the index), the car from `parksAt` on.
    static func frame(_ index: Int) -> GrayImage {
        var image = GrayImage(width: width, height: height, fill: 100)
        var state = UInt32(truncatingIfNeeded: index &* 2_654_435_761 &+ 12345)
        for i in image.pixels.indices {
            state = state &* 1_664_525 &+ 1_013_904_223
            image.pixels[i] = UInt8(96 + Int(state >> 29))
        }
        guard index >= parksAt else { return image }
        for y in car.y { for x in car.x { image.pixels[y * width + x] = 40 } }
        return image
    }

    /// Share of the car's pixels in the mask after each of `checkpoints` (frame indices).
    static func carShare(absorbAfter frames: Int, checkpoints: [Int]) -> [Int: Double] {
        var settings = MotionSettings()
        settings.absorbStillFrames = frames
        var model = SampleConsensusMotion(settings: settings)
        var shares: [Int: Double] = [:]
        for index in 0...(checkpoints.max() ?? 0) {
            _ = model.analyze(frame(index))
            guard checkpoints.contains(index), let mask = model.lastMask else { continue }
            let on = car.y.reduce(0) { sum, y in sum + car.x.filter { mask.pixels[y * width + $0] != 0 }.count }
            shares[index] = Double(on) / Double(car.x.count * car.y.count)
        }
        return shares
    }

    @Test("a car still for longer than absorbStillFrames becomes background, not before")
    func parkedCarIsLetGo() {
        let absorb = 400
        let early = Self.parksAt + 300, late = Self.parksAt + absorb + 40
        let shares = Self.carShare(absorbAfter: absorb, checkpoints: [early, late])
        // The car was seen: the model does not simply miss it.
        #expect((shares[early] ?? 0) > 0.9, "after 300 still frames: \(shares[early] ?? 0)")
        #expect((shares[late] ?? 1) < 0.05, "after \(absorb + 40) still frames: \(shares[late] ?? 1)")
    }

    @Test("with absorbStillFrames 0 the same car is foreground for as long as it stays")
    func keptForEverWhenAsked() {
        let late = Self.parksAt + 440
        let shares = Self.carShare(absorbAfter: 0, checkpoints: [late])
        #expect((shares[late] ?? 0) > 0.9, "after 440 still frames: \(shares[late] ?? 0)")
    }
}
