import Testing
import VigilAnalytics
import VigilSynth
import VigilVision

/// Accuracy of the motion step against exact synthetic truth. Frames are rendered
/// directly (no codec) at a small size so the suite stays fast in debug builds;
/// the benchmark (bench/motion.py) measures the same at 480×270 through H.264.
@Suite("Motion detection against ground truth")
struct MotionTests {
    struct Score {
        var truePositives = 0, falsePositives = 0, falseNegatives = 0
        var framesWithFalseMotion = 0
        var motionEvents = 0
        var fMeasure: Double {
            let precision = Double(truePositives) / Double(max(1, truePositives + falsePositives))
            let recall = Double(truePositives) / Double(max(1, truePositives + falseNegatives))
            return precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        }
    }

    func evaluate(_ spec: SceneSpec, skip: Int = 25, settings: MotionSettings = .init(), model: MotionModelKind = .adaptive) -> Score {
        let renderer = SceneRenderer(spec: spec)
        var detector = model.make(settings)
        var image = GrayImage(width: spec.width, height: spec.height)
        var truth = GrayImage(width: spec.width, height: spec.height)
        var score = Score()
        var rule = MotionRule(zone: nil)
        for frame in 0..<spec.frameCount {
            let frameTruth = renderer.render(frame: frame, into: &image, mask: &truth)
            let observation = detector.analyze(image)
            if rule.observe(fraction: observation.motionFraction ?? 0, frame: frame, pts: Double(frame) / 25) != nil { score.motionEvents += 1 }
            guard frame >= skip, let mask = detector.lastMask else { continue }
            for i in 0..<mask.pixels.count {
                let predicted = mask.pixels[i] != 0, actual = truth.pixels[i] != 0
                if predicted && actual { score.truePositives += 1 }
                else if predicted { score.falsePositives += 1 }
                else if actual { score.falseNegatives += 1 }
            }
            if frameTruth.objects.isEmpty && (observation.motionFraction ?? 0) > 0.002 { score.framesWithFalseMotion += 1 }
        }
        return score
    }

    @Test("moving people and vehicles: F-measure above 0.95, with each background model",
          arguments: [ScenePreset.people, .traffic, .mixed], MotionModelKind.allCases)
    func objects(preset: ScenePreset, model: MotionModelKind) {
        let score = evaluate(.preset(preset, width: 240, height: 136, frameCount: 120, seed: 5), model: model)
        #expect(score.fMeasure > 0.95, "F = \(score.fMeasure)")
    }

    @Test("with shadow suppression on, soft cast shadows on textured ground mostly leave the mask; objects stay")
    func shadows() {
        // Full size: at half size the synthetic shadows are only two or three pixels thick.
        let spec = SceneSpec.preset(.shadows, width: 480, height: 270, frameCount: 100, seed: 5)
        var suppressing = MotionSettings()
        suppressing.suppressShadows = true
        let without = evaluate(spec), with = evaluate(spec, settings: suppressing)
        #expect(with.fMeasure > 0.96, "F = \(with.fMeasure)")
        #expect(with.fMeasure > without.fMeasure + 0.01, "F \(with.fMeasure) with suppression, \(without.fMeasure) without")
        #expect(Double(with.falsePositives) < 0.7 * Double(without.falsePositives), "false pixels \(with.falsePositives) vs \(without.falsePositives)")
        // Object pixels taken for shadow would show as lost recall.
        #expect(with.falseNegatives <= without.falseNegatives + without.truePositives / 200,
                "missed \(with.falseNegatives) with the test, \(without.falseNegatives) without")
    }

    @Test("light changes, sway, noise and shake alone raise no motion, with each background model",
          arguments: [ScenePreset.lights, .sway], MotionModelKind.allCases)
    func nuisances(preset: ScenePreset, model: MotionModelKind) {
        let spec = SceneSpec.preset(preset, width: 240, height: 136, frameCount: 150, seed: 5)
        let score = evaluate(spec, model: model)
        #expect(score.motionEvents == 0, "\(score.motionEvents) motion events")
        #expect(score.framesWithFalseMotion <= spec.frameCount / 50, "\(score.framesWithFalseMotion) frames with over 0.2 % motion")
        #expect(score.falsePositives < spec.width * spec.height / 100, "\(score.falsePositives) false pixels in total")
    }

    @Test("a sudden lights-on step over moving objects does not flag the whole frame", arguments: MotionModelKind.allCases)
    func suddenLightWithObjects(model: MotionModelKind) {
        var spec = SceneSpec.preset(.traffic, width: 240, height: 136, frameCount: 120, seed: 6)
        spec.lightChanges = [.step(frame: 60, gain: 1.35)]
        let renderer = SceneRenderer(spec: spec)
        var detector = model.make(MotionSettings())
        for frame in 0..<spec.frameCount {
            let rendered = renderer.render(frame: frame)
            let fraction = detector.analyze(rendered.image).motionFraction ?? 0
            let truthFraction = Double(rendered.truth.foregroundPixels) / Double(spec.width * spec.height)
            if frame >= 25 { #expect(fraction < truthFraction + 0.05, "frame \(frame): \(fraction) vs truth \(truthFraction)") }
        }
    }

    @Test("the first frames never raise motion (warm-up), also after a reset", arguments: MotionModelKind.allCases)
    func warmUp(model: MotionModelKind) {
        let spec = SceneSpec.preset(.people, width: 160, height: 90, frameCount: 40, seed: 2)
        let renderer = SceneRenderer(spec: spec)
        var detector = model.make(MotionSettings())
        for frame in 0..<15 { #expect(detector.analyze(renderer.render(frame: frame).image).motionFraction == 0) }
        detector.reset()
        #expect(detector.analyze(renderer.render(frame: 30).image).motionFraction == 0)
    }

    @Test("an object that stops stays foreground for many seconds", arguments: MotionModelKind.allCases)
    func standingStill(model: MotionModelKind) {
        let stopper = SceneObject(id: 1, kind: .person, width: 0.06, height: 0.25, intensity: 30,
                                  path: [.init(frame: 0, x: -0.05, y: 0.8), .init(frame: 40, x: 0.5, y: 0.8), .init(frame: 400, x: 0.5, y: 0.8)])
        let spec = SceneSpec(name: "stop", width: 160, height: 90, frameCount: 400, seed: 3, objects: [stopper], noiseSigma: 2)
        let renderer = SceneRenderer(spec: spec)
        var detector = model.make(MotionSettings())
        var last = 0.0
        for frame in 0..<spec.frameCount { last = detector.analyze(renderer.render(frame: frame).image).motionFraction ?? 0 }
        // 360 frames = 14 s standing at 25 fps: still at least half detected.
        let truth = Double(renderer.render(frame: 399).truth.foregroundPixels) / Double(160 * 90)
        #expect(last > truth / 2, "motion \(last), truth \(truth)")
    }

    @Test("blobs: one per separated object, with its box")
    func blobs() {
        var detector = MotionDetector()
        let background = GrayImage(width: 80, height: 60, fill: 100)
        for _ in 0..<25 { _ = detector.analyze(background) }
        var frame = background
        for y in 10..<20 { for x in 10..<20 { frame[x, y] = 220 } }
        for y in 30..<50 { for x in 50..<60 { frame[x, y] = 10 } }
        _ = detector.analyze(frame)
        let blobs = detector.blobs.sorted { $0.box.x < $1.box.x }
        #expect(blobs.count == 2)
        #expect(blobs.first?.box == Box(x: 10, y: 10, width: 10, height: 10))
        // The 3×3 majority vote rounds the four corners off.
        #expect(blobs.last?.area == 196)
    }
}

@Suite("Zones and ignored areas")
struct ZoneTests {
    @Test("a zone mask covers its polygon and measures the motion inside it")
    func zoneFraction() {
        let lowerHalf = Polygon([Point(x: 0, y: 0.5), Point(x: 1, y: 0.5), Point(x: 1, y: 1), Point(x: 0, y: 1)])
        let zone = ZoneMask(polygons: [lowerHalf], width: 40, height: 20)
        #expect(zone.pixelCount == 400)
        var mask = GrayImage(width: 40, height: 20)
        for y in 15..<20 { for x in 0..<40 { mask[x, y] = 255 } }
        for y in 0..<5 { for x in 0..<40 { mask[x, y] = 255 } }
        #expect(zone.fraction(of: mask) == 0.5)
    }

    @Test("motion inside an ignored area is never reported", arguments: MotionModelKind.allCases)
    func ignoredArea(model: MotionModelKind) {
        var detector = model.make(MotionSettings())
        detector.ignoreMask = ZoneMask(polygons: [Polygon([Point(x: 0, y: 0), Point(x: 0.5, y: 0), Point(x: 0.5, y: 1), Point(x: 0, y: 1)])],
                                       width: 80, height: 60)
        let background = GrayImage(width: 80, height: 60, fill: 100)
        for _ in 0..<25 { _ = detector.analyze(background) }
        var frame = background
        for y in 10..<30 { for x in 10..<30 { frame[x, y] = 220 } }   // left half: ignored
        #expect(detector.analyze(frame).motionFraction == 0)
        for y in 10..<30 { for x in 50..<70 { frame[x, y] = 220 } }   // right half: reported
        #expect((detector.analyze(frame).motionFraction ?? 0) > 0.05)
    }
}

@Suite("Perspective")
struct PerspectiveTests {
    let scale = PerspectiveScale(nearY: 0.95, nearPersonHeight: 0.3, farY: 0.35, farPersonHeight: 0.1)

    @Test("person height is interpolated between the references")
    func interpolation() {
        #expect(abs(scale.personHeight(atY: 0.65) - 0.2) < 1e-9)
        #expect(abs(scale.personHeight(atY: 0.95) - 0.3) < 1e-9)
        #expect(scale.personHeight(atY: -5) == 0.005)
    }

    @Test("the minimum blob size follows the perspective: a small blob near the camera is dropped, the same far away is kept")
    func minimumBlobFollowsPerspective() {
        var settings = MotionDetector.Settings()
        settings.perspective = scale
        var detector = MotionDetector(settings: settings)
        let background = GrayImage(width: 160, height: 120, fill: 100)
        for _ in 0..<25 { _ = detector.analyze(background) }
        // A 6×6 blob (32 px once the majority vote rounds its corners): a person with feet at
        // y 0.88 covers ~0.35·(0.28·120)² ≈ 390 px, so it is under the 10 % floor there; with
        // feet at y 0.38 a person covers ~62 px and the blob is kept.
        var near = background
        for y in 100..<106 { for x in 20..<26 { near[x, y] = 220 } }
        #expect(detector.analyze(near).motionFraction == 0)
        var detectorFar = MotionDetector(settings: settings)
        for _ in 0..<25 { _ = detectorFar.analyze(background) }
        var far = background
        for y in 40..<46 { for x in 20..<26 { far[x, y] = 220 } }
        #expect((detectorFar.analyze(far).motionFraction ?? 0) > 0)
    }
}
