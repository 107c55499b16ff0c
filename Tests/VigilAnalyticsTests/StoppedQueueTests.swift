import Testing
import VigilAnalytics
import VigilEvents
import VigilSynth
import VigilVision

/// A queue at a red light, end to end (rendered frames → each background model → tracker →
/// rules): four vehicles drive up one lane, stop nose to tail before a stop line for 30 s, and
/// drive off on green. Stopped vehicles are the congestion case, not background: each keeps
/// its one track through the red, the queue is counted in every frame of it, and each is
/// counted once at the line after the stop line, by the same track. Vehicles that come in as
/// one blob and stand apart in the queue get a track each.
@Suite("A queue at a red light")
struct StoppedQueueTests {
    static let fps = 25.0
    /// The light: the last vehicle has stopped by `stopped`, the first drives off at `green`.
    static let stopped = 125, green = 870, frames = 1040
    static let queueLength = 4

    /// Vehicle k (0 first in the queue) drives in from the left at 3.2 px a frame (80 px/s,
    /// 1.5 of its lengths a second), a second behind the one before, stops with its centre at
    /// 0.7 − 0.2 k (it is 0.16 long: 13 px apart at 320 wide), and moves off at the same speed
    /// 0.6 s after the one in front (green, then the queue's reaction).
    /// `platoon`: they come in nose to tail, one blob, 0.48 s apart, all stopping at frame 125.
    static func vehicle(_ k: Int, platoon: Bool = false) -> SceneObject {
        let stop = 0.7 - 0.2 * Double(k), arrive = platoon ? 30 + 12 * k : 30 + 25 * k, frame = { (distance: Double) in Int((distance / 0.01).rounded()) }
        let leave = green + 15 * k
        return SceneObject(id: k + 1, kind: .vehicle, width: 0.16, height: 0.13, intensity: k % 2 == 0 ? 40 : 210, path: [
            .init(frame: arrive, x: -0.1, y: 0.7), .init(frame: platoon ? stopped : arrive + frame(stop + 0.1), x: stop, y: 0.7),
            .init(frame: leave, x: stop, y: 0.7), .init(frame: leave + frame(1.15 - stop), x: 1.15, y: 0.7),
        ])
    }

    struct Outcome {
        /// Confirmed tracks over the queue in each frame of the red, and their ids.
        var queued: [Int] = []
        var queuedIDs: Set<Int> = []
        var confirmedIDs: Set<Int> = []
        var crossings: [Event] = []
        var congestion: [Event] = []
    }

    static func run(_ model: MotionModelKind, platoon: Bool = false, from: Int = stopped + 25) -> Outcome {
        var spec = SceneSpec(name: "red-light", width: 320, height: 180, frameCount: frames, seed: 5, noiseSigma: 2)
        spec.objects = (0..<queueLength).map { vehicle($0, platoon: platoon) }
        let renderer = SceneRenderer(spec: spec)
        var motion = model.make(MotionSettings())
        var tracker = Tracker(grouping: motion.blobGrouping)
        let line = TrackRules.Line(definition: .init(id: "exit", segment: LineSegment(from: Point(x: 0.9, y: 0.4), to: Point(x: 0.9, y: 0.98))),
                                   flowInterval: 1000)
        var zone = TrackRules.Zone(id: "approach", polygon: Polygon([Point(x: 0, y: 0.4), Point(x: 0.85, y: 0.4), Point(x: 0.85, y: 1), Point(x: 0, y: 1)]))
        zone.congestion = (vehicles: 4, speed: 0.5, seconds: 10)
        var rules = TrackRules(camera: "junction", lines: [line], zones: [zone])
        var image = GrayImage(width: spec.width, height: spec.height)
        var mask = GrayImage(width: spec.width, height: spec.height)
        var outcome = Outcome()
        for frame in 0..<frames {
            _ = renderer.render(frame: frame, into: &image, mask: &mask)
            _ = motion.analyze(image)
            let pts = Double(frame) / fps
            tracker.update(blobs: motion.blobs, pts: pts, frameWidth: spec.width, frameHeight: spec.height)
            let confirmed = tracker.tracks.filter(\.isConfirmed)
            outcome.confirmedIDs.formUnion(confirmed.map(\.id))
            if frame >= from && frame < green {
                // Over the queue: the anchor on the lane, left of the stop line.
                let over = confirmed.filter { $0.anchor.x < 0.8 * 320 && $0.anchor.y > 0.6 * 180 }
                outcome.queued.append(over.count)
                outcome.queuedIDs.formUnion(over.map(\.id))
            }
            for event in rules.observe(tracks: tracker.tracks, frame: frame, pts: pts, frameWidth: spec.width, frameHeight: spec.height) {
                if event.type == .lineCrossing { outcome.crossings.append(event) }
                if event.type == .congestion { outcome.congestion.append(event) }
            }
        }
        outcome.congestion += rules.finish(frame: frames - 1, pts: Double(frames - 1) / fps).filter { $0.type == .congestion }
        return outcome
    }

    @Test("each stopped vehicle keeps one track through a 30 s red, is in every frame's count, and is counted once when it drives off",
          arguments: MotionModelKind.allCases)
    func redLight(model: MotionModelKind) {
        let outcome = Self.run(model)
        let frames = outcome.queued.count
        let whole = outcome.queued.filter { $0 == Self.queueLength }.count
        #expect(whole == frames, "frames of the red with all \(Self.queueLength) tracked: \(whole) of \(frames); counts \(Set(outcome.queued))")
        #expect(outcome.queuedIDs.count == Self.queueLength, "tracks over the queue during the red: \(outcome.queuedIDs.sorted())")
        // Each drives off across the exit line once, by the track it stood in the queue with.
        #expect(outcome.crossings.count == Self.queueLength, "\(outcome.crossings.map { ($0.frame ?? -1, $0.track ?? -1) })")
        #expect(Set(outcome.crossings.compactMap(\.track)) == outcome.queuedIDs, "\(outcome.crossings.compactMap(\.track)) against \(outcome.queuedIDs.sorted())")
        // No track for the road where they stood, once they are gone.
        #expect(outcome.confirmedIDs == outcome.queuedIDs, "confirmed \(outcome.confirmedIDs.sorted()), queued \(outcome.queuedIDs.sorted())")
        // The queue is congestion: it starts during the red and ends after green.
        #expect(outcome.congestion.map(\.state) == [.start, .end], "\(outcome.congestion.map { ($0.state, $0.frame ?? -1) })")
        if let start = outcome.congestion.first?.frame { #expect(start > Self.stopped && start < Self.green, "congestion from \(start)") }
        if outcome.congestion.count == 2, let end = outcome.congestion.last?.frame { #expect(end > Self.green, "congestion until \(end)") }
    }

    /// Before the tracker let such a group's remembered extent fade, the three behind kept one
    /// track for the whole red (two tracks for four vehicles in every frame).
    @Test("vehicles that come in as one blob and stand apart in the queue get a track each within 10 s", arguments: MotionModelKind.allCases)
    func platoon(model: MotionModelKind) {
        let outcome = Self.run(model, platoon: true, from: Self.stopped + 250)
        let whole = outcome.queued.filter { $0 == Self.queueLength }.count
        #expect(whole == outcome.queued.count, "frames with all \(Self.queueLength) tracked: \(whole) of \(outcome.queued.count); counts \(Set(outcome.queued))")
        #expect(outcome.crossings.count == Self.queueLength, "\(outcome.crossings.map { ($0.frame ?? -1, $0.track ?? -1) })")
    }
}
