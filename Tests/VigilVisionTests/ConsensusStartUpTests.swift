import Testing
import VigilVision

/// What the consensus model learns in its warm-up (`keepRecurringValues`), on hand-made
/// frames: a flat grey floor, and a car 60 levels brighter that parks in the last three
/// frames of the 20-frame warm-up, drives off, and comes back five frames later. The floor
/// recurs in 17 of the 20 frames and the car in 3 (under 15 %), so the car is not
/// background; with the random updates alone (`recurringFraction` 0) its last three frames
/// sit in most of its pixels' samples and the returning car is not seen.
@Suite("Consensus motion: the warm-up keeps what recurs")
struct ConsensusStartUpTests {
    static let width = 160, height = 120
    static let car = (x: 60..<90, y: 50..<66)

    static func frame(withCar: Bool) -> GrayImage {
        var image = GrayImage(width: width, height: height, fill: 100)
        guard withCar else { return image }
        for y in car.y { for x in car.x { image.pixels[y * width + x] = 160 } }
        return image
    }

    /// Share of the car's pixels marked when it comes back, and the marked pixels off it.
    static func returningCar(tuning: SampleConsensusMotion.Tuning) -> (onCar: Double, offCar: Int, learnedBefore: Bool) {
        var model = SampleConsensusMotion(settings: MotionSettings(), tuning: tuning)
        let warmUp = MotionSettings().warmUpFrames
        for index in 0..<warmUp { _ = model.analyze(frame(withCar: index >= warmUp - 3)) }
        let learnedBefore = model.isLearning
        for _ in 0..<5 { _ = model.analyze(frame(withCar: false)) }
        _ = model.analyze(frame(withCar: true))
        guard let mask = model.lastMask else { return (0, 0, learnedBefore) }
        var on = 0, off = 0
        for y in 0..<height {
            for x in 0..<width where mask.pixels[y * width + x] != 0 {
                if car.x.contains(x) && car.y.contains(y) { on += 1 } else { off += 1 }
            }
        }
        return (Double(on) / Double(car.x.count * car.y.count), off, learnedBefore)
    }

    @Test("a car that stood only in the warm-up's last frames is foreground when it returns")
    func returningCarIsSeen() {
        let seen = Self.returningCar(tuning: SampleConsensusMotion.Tuning())
        #expect(seen.learnedBefore, "the car stood in the warm-up")
        #expect(seen.onCar > 0.9, "car \(seen.onCar)")
        // Pixels just outside the car may be grown into; nothing farther is marked.
        #expect(seen.offCar < 200, "off the car \(seen.offCar)")
    }

    @Test("without the rebuild the same car was learned as background: the rebuild is what finds it")
    func randomUpdatesLearnTheCar() {
        var tuning = SampleConsensusMotion.Tuning()
        tuning.recurringFraction = 0
        let plain = Self.returningCar(tuning: tuning)
        #expect(plain.learnedBefore)
        #expect(plain.onCar < 0.5, "car \(plain.onCar)")
    }

    @Test("a pixel that alternates between two levels in the warm-up keeps both as background")
    func twoLevelsStayBackground() {
        // A swaying edge: the car's rows alternate between floor and car every frame, all
        // through the warm-up and after it.
        var model = SampleConsensusMotion(settings: MotionSettings(), tuning: SampleConsensusMotion.Tuning())
        var marked = 0
        for index in 0..<40 {
            _ = model.analyze(Self.frame(withCar: index % 2 == 0))
            if index >= MotionSettings().warmUpFrames, let mask = model.lastMask {
                marked += mask.pixels.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
            }
        }
        #expect(!model.isLearning)
        #expect(marked == 0, "marked \(marked) pixels after the warm-up")
        // The model is watching those pixels: a third level there is foreground.
        var third = GrayImage(width: Self.width, height: Self.height, fill: 100)
        for y in Self.car.y { for x in Self.car.x { third.pixels[y * Self.width + x] = 230 } }
        _ = model.analyze(third)
        let onCar = model.lastMask.map { mask in
            Self.car.y.reduce(0) { sum, y in sum + Self.car.x.filter { mask.pixels[y * Self.width + $0] != 0 }.count }
        } ?? 0
        #expect(Double(onCar) > 0.9 * Double(Self.car.x.count * Self.car.y.count), "third level: \(onCar) pixels")
    }
}
