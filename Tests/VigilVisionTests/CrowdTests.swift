import Testing
import VigilSynth
@testable import VigilVision

/// People estimates against synthetic crowds whose count is known exactly in every frame.
@Suite("Crowd density")
struct CrowdTests {
    struct Observed {
        var frame: Int
        var truth: Double
        var measurement: CrowdMeasurement
        var estimate: Double
    }

    /// Runs motion and the estimator over the `crowd` scene; returns every 4th frame after warm-up.
    static func run(frames: Int = 400, seed: UInt64 = 5, model: CrowdModel = .perspectiveOnly) -> [Observed] {
        let spec = SceneSpec.preset(.crowd, width: 480, height: 270, framesPerSecond: 10, frameCount: frames, seed: seed)
        let renderer = SceneRenderer(spec: spec)
        var settings = MotionDetector.Settings()
        settings.perspective = SceneSpec.crowdPerspective
        var detector = MotionDetector(settings: settings)
        var estimator = CrowdEstimator(model: model, perspective: SceneSpec.crowdPerspective)
        var image = GrayImage(width: 480, height: 270), truthMask = GrayImage(width: 480, height: 270)
        var observed: [Observed] = []
        for frame in 0..<frames {
            let truth = renderer.render(frame: frame, into: &image, mask: &truthMask)
            _ = detector.analyze(image)
            guard let mask = detector.lastMask else { continue }
            let estimates = estimator.estimate(mask: mask, blobs: detector.blobs, zones: [])
            guard frame >= 30, frame % 4 == 0 else { continue }
            // A person counts once any part of them is in the picture.
            let people = truth.objects.filter { $0.box.width > 0 && $0.box.height > 0 }.count
            observed.append(Observed(frame: frame, truth: Double(people), measurement: estimator.measurements[0], estimate: estimates[0]))
        }
        return observed
    }

    static let observed = run()

    func meanAbsoluteError(_ rows: [Observed], model: CrowdModel? = nil) -> Double {
        rows.reduce(0) { $0 + abs((model?.people($1.measurement) ?? $1.estimate) - $1.truth) } / Double(rows.count)
    }

    @Test("the scene fills up to a real crowd: up to 30+ people, tight groups, standing people")
    func sceneIsACrowd() {
        let peak = Self.observed.map(\.truth).max() ?? 0
        #expect(peak >= 25, "peak \(peak)")
        #expect(Self.observed.contains { $0.truth <= 5 })
    }

    @Test("the default model, from perspective alone: within a person where people stand apart; an undercount bounded by the occlusion where they crowd")
    func perspectiveOnly() {
        let sparse = Self.observed.filter { $0.truth <= 8 }
        #expect(sparse.count >= 5)
        #expect(meanAbsoluteError(sparse) <= 1.0, "MAE \(meanAbsoluteError(sparse)) over \(sparse.count) sparse frames")
        // Half of the crowd stands in five-person groups that show about 60 % of their bodies,
        // so area in person units must undercount; it may not do worse than 35 % of the mean.
        let rows = Self.observed
        let mean = rows.reduce(0) { $0 + $1.truth } / Double(rows.count)
        let bias = rows.reduce(0) { $0 + $1.estimate - $1.truth } / Double(rows.count)
        #expect(meanAbsoluteError(rows) <= 0.35 * mean, "MAE \(meanAbsoluteError(rows)) against a mean of \(mean) people")
        #expect(bias < 0, "the default should undercount overlapping people, bias \(bias)")
    }

    @Test("a model calibrated on half the frames is within 10 % of the mean count on the other half, and beats the default there")
    func calibrated() throws {
        let rows = Self.observed
        let training = rows.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        let held = rows.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        let fit = try CrowdModelFitting.fit(training.map { .init(measurement: $0.measurement, people: $0.truth, frame: $0.frame) })
        print("calibrated on the synthetic crowd: held-out MAE \(meanAbsoluteError(held, model: fit.model)), default \(meanAbsoluteError(held)), mean \(held.reduce(0) { $0 + $1.truth } / Double(held.count))")
        let mean = held.reduce(0) { $0 + $1.truth } / Double(held.count)
        let calibratedError = meanAbsoluteError(held, model: fit.model)
        #expect(calibratedError <= 0.1 * mean, "held-out MAE \(calibratedError), mean \(mean)")
        #expect(calibratedError < meanAbsoluteError(held))
        #expect(fit.leaveOneOutError.map { $0 <= 0.15 * mean } == true)
    }

    @Test("ten people who walk in and stand still for a minute keep counting: no fading into the background")
    func standingCrowdKeepsCounting() {
        var spec = SceneSpec(name: "standing", width: 480, height: 270, framesPerSecond: 10, frameCount: 700, seed: 9)
        let aspect = 270.0 / 480.0
        spec.objects = (0..<10).map { index in
            let y = 0.5 + Double(index % 5) * 0.1, x = 0.15 + Double(index) * 0.075
            let h = SceneSpec.crowdPerspective.personHeight(atY: y)
            return SceneObject(id: index + 1, kind: .person, width: 0.4 * h * aspect, height: h, intensity: index % 2 == 0 ? 30 : 220,
                               path: [.init(frame: 40, x: index % 2 == 0 ? -0.05 : 1.05, y: y), .init(frame: 80, x: x, y: y), .init(frame: 800, x: x, y: y)])
        }
        let renderer = SceneRenderer(spec: spec)
        var settings = MotionDetector.Settings()
        settings.perspective = SceneSpec.crowdPerspective
        var detector = MotionDetector(settings: settings)
        var estimator = CrowdEstimator(perspective: SceneSpec.crowdPerspective)
        var image = GrayImage(width: 480, height: 270), truth = GrayImage(width: 480, height: 270)
        var estimates: [Int: Double] = [:]
        for frame in 0..<700 {
            _ = renderer.render(frame: frame, into: &image, mask: &truth)
            _ = detector.analyze(image)
            if let mask = detector.lastMask { estimates[frame] = estimator.estimate(mask: mask, blobs: detector.blobs, zones: [])[0] }
        }
        // Everyone stopped at frame 80; compare 2 s later with 60 s later.
        let settled = estimates[100] ?? 0, minuteLater = estimates[699] ?? 0
        #expect(abs(settled - 10) <= 1.5, "just after stopping: \(settled)")
        #expect(minuteLater >= 0.9 * settled, "after a minute standing: \(minuteLater) of \(settled)")
    }

    @Test("a far person and a near person weigh alike")
    func perspectiveWeights() {
        let perspective = SceneSpec.crowdPerspective
        var estimator = CrowdEstimator(model: CrowdModel(features: [.area], coefficients: [1], intercept: 0), perspective: perspective)
        for feetY in [0.45, 0.9] {
            // A person-shaped block: 0.35 h² pixels standing with feet at feetY.
            var mask = GrayImage(width: 480, height: 270)
            let h = perspective.personHeight(atY: feetY) * 270
            let w = Int((0.35 * h).rounded()), top = Int(feetY * 270 - h)
            for y in max(0, top)..<Int(feetY * 270) { for x in 200..<(200 + w) { mask.pixels[y * 480 + x] = 255 } }
            let people = estimator.estimate(mask: mask, blobs: [], zones: [])[0]
            #expect(abs(people - 1) < 0.2, "feet at \(feetY): \(people)")
        }
    }

    @Test("units: a region counts one person, a region of three people's area counts three, a speck nothing")
    func unitsPerRegion() {
        let perspective = SceneSpec.crowdPerspective
        var estimator = CrowdEstimator(perspective: perspective)
        let mask = GrayImage(width: 480, height: 270)
        func blob(feetY: Double, persons: Double) -> Blob {
            let h = perspective.personHeight(atY: feetY) * 270
            let width = 0.35 * h * persons
            return Blob(box: Box(x: 100, y: feetY * 270 - h, width: width, height: h), area: Int(width * h),
                        centroid: Point(x: 100 + width / 2, y: feetY * 270 - h / 2))
        }
        // A small person (0.6 of the assumed size) still counts one: one region, one person.
        for (persons, expected) in [(0.6, 1.0), (1.0, 1.0), (3.0, 3.0), (0.1, 0.0)] {
            let people = estimator.estimate(mask: mask, blobs: [blob(feetY: 0.8, persons: persons)], zones: [])[0]
            #expect(abs(people - expected) < 0.25, "\(persons) person areas: \(people)")
        }
    }

    @Test("feature selection keeps the subset that predicts held-out frames best")
    func featureSelection() throws {
        // People are exactly twice `units`; `edges` is unrelated noise, `area` a noisy copy.
        let samples = (0..<24).map { index -> CrowdModelFitting.Sample in
            let units = Double(3 + index % 9)
            let noise = Double((index * 7919) % 13) / 13 - 0.5
            return .init(measurement: CrowdMeasurement(area: units + 2 * noise, edges: Double((index * 31) % 17), blobs: units, units: units),
                         people: 2 * units, frame: index)
        }
        let fit = try CrowdModelFitting.fitSelectingFeatures(samples, ridge: 0.0001)
        #expect(fit.model.features == [.blobs] || fit.model.features == [.units], "\(fit.model.features)")
        #expect((fit.leaveOneOutError ?? 1) < 0.01)
        // Fewer than four frames: no leave-one-out, so every candidate is fitted.
        #expect(try CrowdModelFitting.fitSelectingFeatures(Array(samples.prefix(3))).model.features == CrowdFeature.allCases)
    }

    @Test("fitting recovers a known linear relation and reports leave-one-out error")
    func fittingRecoversCoefficients() throws {
        let samples = (0..<20).map { index -> CrowdModelFitting.Sample in
            let area = Double(index), edges = Double((index * 7) % 11)
            return .init(measurement: CrowdMeasurement(area: area, edges: edges, blobs: 0), people: 2 + 1.5 * area + 0.5 * edges, frame: index)
        }
        let fit = try CrowdModelFitting.fit(samples, features: [.area, .edges], ridge: 0.0001, intercept: true)
        #expect(abs(fit.model.coefficients[0] - 1.5) < 0.01 && abs(fit.model.coefficients[1] - 0.5) < 0.01)
        #expect(abs(fit.model.intercept - 2) < 0.05)
        #expect(fit.meanAbsoluteError < 0.05)
        // Through the origin (the default) the same data gives no intercept.
        let origin = try CrowdModelFitting.fit(samples.map { .init(measurement: $0.measurement, people: $0.people - 2, frame: $0.frame) },
                                               features: [.area, .edges], ridge: 0.0001)
        #expect(origin.model.intercept == 0 && abs(origin.model.coefficients[0] - 1.5) < 0.01)
        #expect(throws: CrowdModelFitting.FitError.self) { try CrowdModelFitting.fit(Array(samples.prefix(2))) }
    }
}
