import Testing
import VigilAnalytics
import VigilSynth
import VigilVision

/// Tracks and line counts from synthetic scenes whose crossings are known exactly:
/// the whole chain (motion → blobs → tracker → line counter) on rendered frames.
@Suite("Tracks and line counts against ground truth")
struct LineCountingTests {
    struct Run {
        var crossings: [CountedCrossing] = []
        var trackIDs: Set<Int> = []
        var classes: [Int: ObjectClass] = [:]
    }

    func run(_ spec: SceneSpec, perspective: PerspectiveScale? = nil, splitGroups: Bool = false) -> Run {
        let renderer = SceneRenderer(spec: spec)
        var settings = MotionDetector.Settings()
        settings.perspective = perspective
        var detector = MotionDetector(settings: settings)
        var tracker = Tracker(perspective: perspective)
        tracker.settings.splitGroups = splitGroups
        var counters = spec.lines.map { LineCounter(.init(id: $0.id, segment: $0.segment)) }
        var image = GrayImage(width: spec.width, height: spec.height)
        var mask = GrayImage(width: spec.width, height: spec.height)
        var result = Run()
        for frame in 0..<spec.frameCount {
            _ = renderer.render(frame: frame, into: &image, mask: &mask)
            _ = detector.analyze(image)
            let pts = Double(frame) / Double(spec.framesPerSecond)
            tracker.update(blobs: detector.blobs, pts: pts, frameWidth: spec.width, frameHeight: spec.height)
            for track in tracker.tracks where track.isConfirmed {
                result.trackIDs.insert(track.id)
                result.classes[track.id] = track.objectClass
            }
            for index in counters.indices {
                result.crossings += counters[index].observe(tracks: tracker.tracks, frame: frame, pts: pts,
                                                            frameWidth: spec.width, frameHeight: spec.height)
            }
        }
        return result
    }

    /// One object on a path; a vertical counting line at x = 0.5.
    func scene(_ paths: [(ObjectKind, [SceneObject.Keyframe])], frames: Int = 150) -> SceneSpec {
        var spec = SceneSpec(name: "crafted", width: 320, height: 180, frameCount: frames, seed: 9, noiseSigma: 2)
        spec.objects = paths.enumerated().map { index, path in
            let (kind, keyframes) = path
            return SceneObject(id: index + 1, kind: kind, width: kind == .person ? 0.04 : 0.16,
                               height: kind == .person ? 0.2 : 0.13, intensity: index % 2 == 0 ? 30 : 220, path: keyframes)
        }
        spec.lines = [SceneLine(id: "gate", segment: LineSegment(from: Point(x: 0.5, y: 0.1), to: Point(x: 0.5, y: 0.95)))]
        return spec
    }

    func directions(_ crossings: [CountedCrossing]) -> (towardsB: Int, towardsA: Int) {
        (crossings.filter(\.towardsB).count, crossings.filter { !$0.towardsB }.count)
    }

    @Test("two-lane traffic: counts per direction exactly as the ground truth")
    func traffic() {
        let spec = SceneSpec.preset(.traffic, width: 320, height: 180, frameCount: 250, seed: 3)
        let truth = spec.lineCrossings()
        let result = run(spec)
        let expectedB = truth.filter { $0.direction == .aToB }.count, expectedA = truth.count - expectedB
        let counted = directions(result.crossings)
        #expect(truth.count >= 8, "the scene should have traffic both ways")
        #expect(counted.towardsB == expectedB && counted.towardsA == expectedA,
                "counted \(counted), truth a_to_b \(expectedB) b_to_a \(expectedA)")
        // Each crossing within half a second of the truth.
        for crossing in truth {
            #expect(result.crossings.contains { abs($0.frame - crossing.frame) <= 12 && $0.towardsB == (crossing.direction == .aToB) },
                    "no count near frame \(crossing.frame)")
        }
        #expect(result.crossings.allSatisfy { $0.objectClass == .vehicle }, "\(result.crossings.map(\.objectClass))")
    }

    @Test("people walking across singly: counted once each, in the right direction, as persons")
    func walkers() {
        let spec = scene([
            (.person, [.init(frame: 0, x: 0.1, y: 0.7), .init(frame: 120, x: 0.9, y: 0.75)]),
            (.person, [.init(frame: 20, x: 0.95, y: 0.5), .init(frame: 140, x: 0.15, y: 0.55)]),
        ])
        let result = run(spec)
        let counted = directions(result.crossings)
        // Vertical line drawn top to bottom: side A is on the right of the screen... see LineSegment.
        let truth = spec.lineCrossings()
        #expect(truth.count == 2)
        #expect(result.crossings.count == 2, "\(result.crossings)")
        #expect(counted.towardsB == truth.filter { $0.direction == .aToB }.count)
        #expect(result.crossings.allSatisfy { $0.objectClass == .person }, "\(result.crossings.map(\.objectClass))")
    }

    @Test("stopping on the line, turning back before it, walking along it, and crossing back: one count per track that crossed")
    func awkwardPaths() {
        let spec = scene([
            // Stops with its feet on the line for two seconds, then goes on: one count.
            (.person, [.init(frame: 0, x: 0.2, y: 0.8), .init(frame: 40, x: 0.5, y: 0.8), .init(frame: 90, x: 0.5, y: 0.8), .init(frame: 140, x: 0.8, y: 0.8)]),
            // Comes close and turns back: no count.
            (.person, [.init(frame: 0, x: 0.9, y: 0.45), .init(frame: 60, x: 0.53, y: 0.45), .init(frame: 120, x: 0.9, y: 0.45)]),
            // Walks along the line, feet on it: no count.
            (.person, [.init(frame: 10, x: 0.5, y: 0.25), .init(frame: 140, x: 0.5, y: 0.6)]),
        ], frames: 150)
        let result = run(spec)
        #expect(result.crossings.count == 1, "\(result.crossings.map { ($0.track, $0.frame, $0.direction) })")
        if let crossing = result.crossings.first {
            // It leaves the line at frame 90: counted once clear of the dead band.
            #expect(crossing.frame >= 88 && crossing.frame <= 105, "counted at \(crossing.frame)")
        }
    }

    @Test("crossing and coming back counts once per track and line")
    func crossBack() {
        let spec = scene([
            (.person, [.init(frame: 0, x: 0.2, y: 0.7), .init(frame: 60, x: 0.75, y: 0.7), .init(frame: 130, x: 0.2, y: 0.7)]),
        ])
        let result = run(spec)
        #expect(result.crossings.count == 1)
        #expect(result.trackIDs.count == 1, "one object, one confirmed track: \(result.trackIDs)")
    }

    @Test("a crossing outside the segment's ends is not a crossing")
    func aroundTheEnd() {
        var spec = scene([(.person, [.init(frame: 0, x: 0.1, y: 0.5), .init(frame: 120, x: 0.9, y: 0.5)])])
        spec.lines = [SceneLine(id: "short", segment: LineSegment(from: Point(x: 0.5, y: 0.6), to: Point(x: 0.5, y: 0.95)))]
        #expect(run(spec).crossings.isEmpty)
    }

    @Test("two people passing each other keep their ids through the merge")
    func passing() {
        let spec = scene([
            (.person, [.init(frame: 0, x: 0.1, y: 0.7), .init(frame: 140, x: 0.9, y: 0.72)]),
            (.person, [.init(frame: 0, x: 0.9, y: 0.71), .init(frame: 140, x: 0.1, y: 0.73)]),
        ])
        let result = run(spec)
        #expect(result.trackIDs.count == 2, "confirmed tracks \(result.trackIDs)")
        #expect(result.crossings.count == 2)
        #expect(Set(result.crossings.map(\.towardsB)).count == 2, "one each way")
    }

    @Test("people walking side by side: one track for the pair by default, one each with split_groups and a perspective")
    func sideBySide() {
        // Two people shoulder to shoulder (their boxes touch) cross the line together.
        let spec = scene([
            (.person, [.init(frame: 0, x: 0.1, y: 0.75), .init(frame: 140, x: 0.9, y: 0.75)]),
            (.person, [.init(frame: 0, x: 0.14, y: 0.75), .init(frame: 140, x: 0.94, y: 0.75)]),
        ])
        // Everyone here is 0.2 of the frame tall, wherever they stand.
        let perspective = PerspectiveScale(nearY: 0.9, nearPersonHeight: 0.2, farY: 0.3, farPersonHeight: 0.2)
        let together = run(spec, perspective: perspective)
        let apart = run(spec, perspective: perspective, splitGroups: true)
        #expect(together.crossings.count == 1, "\(together.crossings.map(\.track))")
        #expect(apart.crossings.count == 2, "\(apart.crossings.map(\.track))")
        #expect(Set(apart.crossings.map(\.track)).count == 2)
    }
}
