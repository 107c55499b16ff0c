import Testing
import VigilVision

/// When a tentative track becomes confirmed, fed hand-made blobs at 10 frames a second
/// (frames closer than `confirmationSeconds`), or at 25, without the learned flow, so the hit
/// rules decide and not confirmation on sight. The tests of `movedFar` turn the low-rate
/// second hit (`lowRateSeconds`) off, which would otherwise confirm their cars at 10 frames
/// a second whatever they do.
@Suite("Track confirmation")
struct TrackConfirmationTests {
    static let width = 480, height = 360

    /// Objects of `size` pass one after another along the same row, each in view for 12
    /// frames and moving `step` pixels a frame, 15 frames apart, after the objects of sizes
    /// `before` (each moving 18 px a frame, to teach the tracker a usual size). Per object of
    /// `size`: the measured frames its track needed to be confirmed (nil: never); and the
    /// tracker's usual size where they pass once they are all gone.
    static func hitsToConfirm(objects: Int, size: (width: Double, height: Double), step: Double,
                              lowRateMotion: Double = Tracker.Settings().lowRateMotion, lowRateSeconds: Double = .infinity,
                              framesPerSecond: Double = 10,
                              before: [(width: Double, height: Double)] = []) -> (hits: [Int?], usual: (width: Double, height: Double)?) {
        var settings = Tracker.Settings()
        settings.learnFlow = false
        settings.lowRateMotion = lowRateMotion
        settings.lowRateSeconds = lowRateSeconds
        var tracker = Tracker(settings: settings)
        var hits: [Int?] = []
        var frame = 0
        for object in 0..<(before.count + objects) {
            let own = object < before.count ? before[object] : size
            var confirmedAfter: Int?
            for age in 0..<15 {
                defer { frame += 1 }
                guard age < 12 else {
                    tracker.update(blobs: [], pts: Double(frame) / framesPerSecond, frameWidth: width, frameHeight: height)
                    continue
                }
                let box = Box(x: 60 + (object < before.count ? 18 : step) * Double(age), y: 150, width: own.width, height: own.height)
                tracker.update(blobs: [Blob(box: box, area: Int(box.area * 0.8), centroid: box.centre)], pts: Double(frame) / framesPerSecond,
                               frameWidth: width, frameHeight: height)
                if confirmedAfter == nil,
                   let track = tracker.tracks.first(where: { $0.isConfirmed && !$0.isCoasting && $0.measuredBox.intersectionOverUnion(box) >= 0.5 }) {
                    confirmedAfter = track.hits
                }
            }
            if object >= before.count { hits.append(confirmedAfter) }
        }
        return (hits, tracker.sizes.size(at: Point(x: 150, y: 157), frameWidth: width, frameHeight: height))
    }

    static let car = (width: 30.0, height: 14.0)

    @Test("a car of the usual size that moves over half its length between two frames is confirmed by its second measurement")
    func fastCarConfirmedOnSecondHit() {
        // 18 px a frame: 0.6 of the car's 30 px length.
        let fast = Self.hitsToConfirm(objects: 4, size: Self.car, step: 18)
        // The first car is confirmed by its third hit: no usual size is known yet. By the last,
        // the cars before have taught the size.
        #expect(fast.hits.first == 3, "\(fast)")
        #expect(fast.usual.map { abs($0.width - 30) < 3 && abs($0.height - 14) < 2 } == true, "\(fast)")
        #expect(fast.hits.last == 2, "\(fast)")
        // The rule is what did it: without it the same cars wait for their third hit.
        let waiting = Self.hitsToConfirm(objects: 4, size: Self.car, step: 18, lowRateMotion: .infinity)
        #expect(waiting.hits == [3, 3, 3, 3], "\(waiting)")
    }

    @Test("a car that moves a fifth of its length between two frames waits for its third measurement")
    func slowCarWaitsForThirdHit() {
        let slow = Self.hitsToConfirm(objects: 4, size: Self.car, step: 6)
        #expect(slow.usual != nil && slow.hits == [3, 3, 3, 3], "\(slow)")
    }

    @Test("a piece much smaller than the usual object waits for its third measurement, though it moves over half its size a frame")
    func pieceWaitsForThirdHit() {
        // Cars teach the size first; then specks of 8 × 4 px move 5 px a frame (0.6 of their size).
        let pieces = Self.hitsToConfirm(objects: 2, size: (8, 4), step: 5, before: Array(repeating: Self.car, count: 4))
        #expect(pieces.usual != nil && pieces.hits == [3, 3], "\(pieces)")
    }

    static let lowRate = Tracker.Settings().lowRateSeconds

    @Test("at 10 frames a second a car is confirmed by its second measurement, whether or not a size is known and however far it moves")
    func lowRateSecondHit() {
        let slow = Self.hitsToConfirm(objects: 3, size: Self.car, step: 6, lowRateSeconds: Self.lowRate)
        #expect(slow.hits == [2, 2, 2], "\(slow)")
        // The cars taught the size, so the last was judged against it and passed.
        #expect(slow.usual.map { abs($0.width - 30) < 3 } == true, "\(slow)")
    }

    @Test("at 25 frames a second a car still waits for its third measurement")
    func fullRateWaitsForThirdHit() {
        let full = Self.hitsToConfirm(objects: 3, size: Self.car, step: 3, lowRateSeconds: Self.lowRate, framesPerSecond: 25)
        #expect(full.hits == [3, 3, 3], "\(full)")
    }

    @Test("at 10 frames a second a speck far smaller than the usual object still waits for its third measurement")
    func lowRateSpeckWaits() {
        let specks = Self.hitsToConfirm(objects: 2, size: (8, 4), step: 2, lowRateSeconds: Self.lowRate, before: Array(repeating: Self.car, count: 4))
        #expect(specks.usual != nil && specks.hits == [3, 3], "\(specks)")
        // A box two-thirds of the car's size both ways is no speck.
        let small = Self.hitsToConfirm(objects: 2, size: (21, 10), step: 2, lowRateSeconds: Self.lowRate, before: Array(repeating: Self.car, count: 4))
        #expect(small.hits == [2, 2], "\(small)")
    }
}
