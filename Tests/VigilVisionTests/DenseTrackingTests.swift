import Testing
import VigilVision

/// The tracker fed hand-made blobs: three lanes of cars bumper to bumper, 4 px apart side by
/// side, analysed at 3 frames a second, so each car moves a whole car length between frames
/// (as `--fps 3` on a motorway, or the traffic clips of ../shared/datasets/traffic).
@Suite("Dense traffic at a low frame rate")
struct DenseTrackingTests {
    static let width = 480, height = 360
    static let carWidth = 30.0, carHeight = 14.0
    /// Pixels per second: one car length every third of a second.
    static let speed = 90.0
    static let lanes: [(y: Double, offset: Double, spacing: Double)] = [(100, 0, 75), (118, 8, 75), (136, 16, 75)]

    /// The cars wholly in view at time `t`: (lane, index in lane, box).
    static func cars(at t: Double) -> [(lane: Int, car: Int, box: Box)] {
        var cars: [(Int, Int, Box)] = []
        for (lane, (y, offset, spacing)) in lanes.enumerated() {
            for car in 0..<30 {
                let x = -carWidth + offset + speed * t - Double(car) * spacing
                guard x >= 0, x + carWidth <= Double(width) else { continue }
                cars.append((lane, car, Box(x: x, y: y, width: carWidth, height: carHeight)))
            }
        }
        return cars
    }

    static func blobs(_ cars: [(lane: Int, car: Int, box: Box)]) -> [Blob] {
        cars.map { Blob(box: $0.box, area: Int($0.box.area * 0.8), centroid: Point(x: $0.box.x + $0.box.width / 2, y: $0.box.y + $0.box.height / 2)) }
    }

    /// Runs 60 frames (20 s) and scores frames from 8 s on: the share of cars seen before with
    /// a confirmed track measured on them alone (IoU ≥ 0.5), and the confirmed tracks that
    /// match no car. The first cars arrive side by side before any flow is known and are
    /// tracked as groups until they leave: the 8 s of warm-up let them go.
    static func run(_ settings: Tracker.Settings) -> (covered: Double, strays: Int, carFrames: Int, entering: Double, enteringFrames: Int) {
        var tracker = Tracker(settings: settings)
        var covered = 0, carFrames = 0, strays = 0, entering = 0, enteringFrames = 0
        for frame in 0..<60 {
            let t = Double(frame) / 3
            let cars = Self.cars(at: t)
            tracker.update(blobs: blobs(cars), pts: t, frameWidth: width, frameHeight: height)
            guard t >= 8 else { continue }
            let measured = tracker.tracks.filter { $0.isConfirmed && !$0.isCoasting }
            // A car in its first frame in view is scored apart (`entering`): only a track
            // confirmed on sight covers most of them.
            let seen = cars.filter { $0.box.x >= speed / 3 }
            // Those first frames, scored on their own.
            let new = cars.filter { $0.box.x < speed / 3 }
            for car in new where measured.contains(where: { $0.measuredBox.intersectionOverUnion(car.box) >= 0.5 }) { entering += 1 }
            enteringFrames += new.count
            for car in seen where measured.contains(where: { $0.measuredBox.intersectionOverUnion(car.box) >= 0.5 }) { covered += 1 }
            carFrames += seen.count
            strays += measured.filter { track in !cars.contains { track.measuredBox.intersectionOverUnion($0.box) >= 0.5 } }.count
        }
        return (Double(covered) / Double(max(1, carFrames)), strays, carFrames, Double(entering) / Double(max(1, enteringFrames)), enteringFrames)
    }

    /// Measured 0.97 with 1 stray track (0.96 with `confirmOnSight` off). Still missed: cars entering side by side at the
    /// picture's edge, where no flow is known yet, start as one group for a few frames.
    @Test("a confirmed track on each car, lanes kept apart, though each car moves its own length between frames")
    func denseLowRate() {
        let result = Self.run(Tracker.Settings())
        #expect(result.carFrames > 300, "the scene holds \(result.carFrames) car-frames")
        #expect(result.covered >= 0.78, "\(result)")
        #expect(result.strays <= result.carFrames / 50, "\(result)")
    }

    /// Measured: 0.68 of the cars in their first frame in view have a confirmed track with
    /// it, 0.14 without (a confirmed track can land on a car already, when a lane's convoy shifts).
    @Test("at 3 frames a second a car of the usual size entering where the flow goes is confirmed when first seen")
    func confirmedOnSight() {
        let onSight = Self.run(Tracker.Settings())
        var settings = Tracker.Settings()
        settings.confirmOnSight = false
        let waiting = Self.run(settings)
        #expect(onSight.enteringFrames > 30 && onSight.enteringFrames == waiting.enteringFrames, "\(onSight) \(waiting)")
        #expect(onSight.entering >= 0.6 && onSight.entering >= waiting.entering + 0.4, "\(onSight) \(waiting)")
        // Confirming sooner adds no track on nothing, and the later frames are as well covered.
        #expect(onSight.strays <= waiting.strays && onSight.covered >= waiting.covered, "\(onSight) \(waiting)")
    }

    /// `birthFlow`: the flow the tracker has learned, along the lane, where cars first show up.
    typealias BirthScore = (entering: Double, enteringFrames: Int, covered: Double, carFrames: Int, strays: Int, birthFlow: Double)

    /// Where a car of every other one is first found, mid-picture (out from behind a lorry in the
    /// nearer lane, or where the mask first finds it, as on m30-hd).
    static let firstFound = 240.0

    /// One lane of cars 150 px apart at `speed`, 20 s at 10 frames a second; every other car is
    /// first found at `firstFound`, the others enter at the picture's edge and teach the tracker
    /// the lane's flow. Scored from 4 s on: the share of mid-picture cars in their first frame
    /// with a confirmed track measured on them, and of the other car-frames.
    static func midPictureBirths(_ settings: Tracker.Settings, speed: Double) -> BirthScore {
        var tracker = Tracker(settings: settings)
        var entering = 0, enteringFrames = 0, covered = 0, carFrames = 0, strays = 0
        var seen = Set<Int>()
        for frame in 0..<200 {
            let t = Double(frame) / 10
            let cars = (0..<100).compactMap { car -> (index: Int, box: Box)? in
                let x = -carWidth + speed * t - Double(car) * 150
                guard x >= (car % 2 == 1 ? firstFound : 0), x + carWidth <= Double(width) else { return nil }
                return (car, Box(x: x, y: 100, width: carWidth, height: carHeight))
            }
            tracker.update(blobs: cars.map { Blob(box: $0.box, area: Int($0.box.area * 0.8), centroid: $0.box.centre) }, pts: t, frameWidth: width, frameHeight: height)
            let measured = tracker.tracks.filter { $0.isConfirmed && !$0.isCoasting }
            for (index, car) in cars {
                let first = seen.insert(index).inserted
                guard t >= 4 else { continue }
                let tracked = measured.contains { $0.measuredBox.intersectionOverUnion(car) >= 0.5 }
                if first && index % 2 == 1 { enteringFrames += 1; if tracked { entering += 1 } }
                else if !first { carFrames += 1; if tracked { covered += 1 } }
            }
            guard t >= 4 else { continue }
            strays += measured.filter { track in !cars.contains { track.measuredBox.intersectionOverUnion($0.box) >= 0.5 } }.count
        }
        let birthFlow = tracker.flow.velocity(at: Point(x: firstFound + carWidth / 2, y: 100 + carHeight / 2), frameWidth: width, frameHeight: height)?.x ?? 0
        return (Double(entering) / Double(max(1, enteringFrames)), enteringFrames, Double(covered) / Double(max(1, carFrames)), carFrames, strays, birthFlow)
    }

    /// `midPictureBirths` with the default settings, and with `lowRateMotion` never reached.
    static func withAndWithoutFlowRate(speed: Double) -> (rule: BirthScore, without: BirthScore) {
        var settings = Tracker.Settings()
        settings.lowRateMotion = .infinity
        return (midPictureBirths(Tracker.Settings(), speed: speed), midPictureBirths(settings, speed: speed))
    }

    /// Frames 0.1 s apart whose cars still move a car length between two of them (m30-hd:
    /// encoded at 10 frames a second, a car near the camera crosses the picture in two or
    /// three): the flow, not the timestamps, says the frame rate is low for them. Measured: all
    /// 16 such cars confirmed in their first frame, none without the rule; later frames 0.95
    /// covered against 0.91.
    @Test("at 10 frames a second, a car first found mid-picture where the flow moves a car length a frame is confirmed when first seen")
    func confirmedOnSightWhereTheFlowIsFast() {
        let (onSight, waiting) = Self.withAndWithoutFlowRate(speed: 300)
        // The lane's flow is learned where those cars show up, and points their way.
        #expect(onSight.birthFlow > 0.8 * 300 && onSight.birthFlow < 1.2 * 300, "\(onSight)")
        #expect(onSight.enteringFrames >= 10 && onSight.enteringFrames == waiting.enteringFrames, "\(onSight) \(waiting)")
        #expect(onSight.entering >= 0.8 && onSight.entering >= waiting.entering + 0.5, "\(onSight) \(waiting)")
        // Confirming sooner adds no track on nothing, and the later frames are as well covered.
        #expect(onSight.strays <= waiting.strays && onSight.covered >= waiting.covered && onSight.covered >= 0.7, "\(onSight) \(waiting)")
    }

    /// A car moving a third of its length between frames waits for its hits. Measured: none of
    /// the 5 confirmed in its first frame, 0.97 of the other car-frames covered, with the rule
    /// or without.
    @Test("at 10 frames a second, a car first found mid-picture where the flow moves a third of a car length a frame waits for its hits")
    func slowFlowWaitsForHits() {
        let (result, waiting) = Self.withAndWithoutFlowRate(speed: 90)
        // Cars are tracked and the flow is known where the late ones show up, so the test watches something.
        #expect(result.birthFlow > 0.8 * 90 && result.enteringFrames >= 3 && result.carFrames > 50 && result.covered >= 0.7, "\(result)")
        #expect(result.entering == waiting.entering && result.covered == waiting.covered && result.strays == waiting.strays, "\(result) \(waiting)")
    }

    /// Measured 0.0: no car is ever confirmed.
    @Test("without the flow and the time-aware gate (the old tracker) the same scene is lost")
    func oldTrackerLosesIt() {
        var settings = Tracker.Settings()
        settings.learnFlow = false
        settings.gateDeviations = 0
        let result = Self.run(settings)
        #expect(result.carFrames > 300)
        #expect(result.covered < 0.1, "\(result)")
    }
}
