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

    typealias FlowScore = (entering: Double, enteringFrames: Int, covered: Double, carFrames: Int, strays: Int)

    /// One lane of cars 150 px apart at `speed`: 6 s at 3 frames a second (the tracker learns
    /// the flow and the cars' size, entry included), then 6 s at 10. Returns, for the second
    /// part, the share of cars in their first frame in view with a confirmed track measured
    /// on them, and of all car-frames after their first.
    static func fastAfterFlow(_ settings: Tracker.Settings, speed: Double) -> FlowScore {
        var tracker = Tracker(settings: settings)
        var entering = 0, enteringFrames = 0, covered = 0, carFrames = 0, strays = 0
        var times = (0..<18).map { Double($0) / 3 }
        times += (0..<60).map { 6 + Double($0) / 10 }
        var previous = 0.0
        for t in times {
            let cars = (0..<200).compactMap { car -> Box? in
                let x = -carWidth + speed * t - Double(car) * 150
                return x >= 0 && x + carWidth <= Double(width) ? Box(x: x, y: 100, width: carWidth, height: carHeight) : nil
            }
            tracker.update(blobs: cars.map { Blob(box: $0, area: Int($0.area * 0.8), centroid: $0.centre) }, pts: t, frameWidth: width, frameHeight: height)
            defer { previous = t }
            guard t >= 6 else { continue }
            let measured = tracker.tracks.filter { $0.isConfirmed && !$0.isCoasting }
            for car in cars {
                let tracked = measured.contains { $0.measuredBox.intersectionOverUnion(car) >= 0.5 }
                if car.x < speed * (t - previous) { enteringFrames += 1; if tracked { entering += 1 } }
                else { carFrames += 1; if tracked { covered += 1 } }
            }
            strays += measured.filter { track in !cars.contains { track.measuredBox.intersectionOverUnion($0) >= 0.5 } }.count
        }
        return (Double(entering) / Double(max(1, enteringFrames)), enteringFrames, Double(covered) / Double(max(1, carFrames)), carFrames, strays)
    }

    /// `fastAfterFlow` with the default settings, and with `lowRateMotion` never reached.
    static func withAndWithoutFlowRate(speed: Double) -> (rule: FlowScore, without: FlowScore) {
        var settings = Tracker.Settings()
        settings.lowRateMotion = .infinity
        return (fastAfterFlow(Tracker.Settings(), speed: speed), fastAfterFlow(settings, speed: speed))
    }

    /// Frames 0.1 s apart whose cars still move a car length between two of them (m30-hd:
    /// encoded at 10 frames a second, a car near the camera crosses the picture in two or
    /// three): the flow, not the timestamps, says the frame rate is low for them. Measured:
    /// 0.625 of the cars in their first frame have a confirmed track, 0.125 without the rule
    /// (the rest are born where the flow is not known yet, at the picture's edge).
    @Test("at 10 frames a second, cars that move their own length between frames are confirmed when first seen")
    func confirmedOnSightWhereTheFlowIsFast() {
        let (onSight, waiting) = Self.withAndWithoutFlowRate(speed: 300)
        #expect(onSight.enteringFrames >= 15 && onSight.enteringFrames == waiting.enteringFrames, "\(onSight) \(waiting)")
        #expect(onSight.entering >= 0.5 && onSight.entering >= waiting.entering + 0.4, "\(onSight) \(waiting)")
        // Confirming sooner adds no track on nothing, and the later frames are as well covered.
        #expect(onSight.strays <= waiting.strays && onSight.covered >= waiting.covered && onSight.covered >= 0.7, "\(onSight) \(waiting)")
    }

    /// Measured: no car in its first frame confirmed and 0.98 of the later car-frames
    /// covered, with the rule or without; a car moving a third of its length between frames
    /// waits for its hits.
    @Test("at 10 frames a second, cars that move a third of their length between frames wait for their hits")
    func slowFlowWaitsForHits() {
        let (result, waiting) = Self.withAndWithoutFlowRate(speed: 90)
        // Cars are tracked at all, so the test watches something.
        #expect(result.enteringFrames >= 3 && result.carFrames > 50 && result.covered >= 0.7, "\(result)")
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
