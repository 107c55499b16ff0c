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
            let estimates = estimator.estimate(mask: mask, image: image, blobs: detector.blobs, zones: [])
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

    @Test("the default model, from perspective alone: about one person per synthetic person where people stand apart; within 35 % where they crowd")
    func perspectiveOnly() {
        // The default is set on real masks (PETS 2009: a person's mask covers 0.30 h², holes
        // and all). A synthetic person is a solid ellipse of 0.31 h² whose mask is complete and
        // a little wider than the body, so it counts as 1.0 to 1.45 people by default; what
        // must hold is that it never counts as less than one, and not wildly more.
        let sparse = Self.observed.filter { $0.truth <= 8 && $0.truth >= 2 }
        #expect(sparse.count >= 5)
        let ratio = sparse.reduce(0) { $0 + $1.estimate } / sparse.reduce(0) { $0 + $1.truth }
        #expect(ratio >= 1.0 && ratio <= 1.45, "estimate / truth \(ratio) over \(sparse.count) sparse frames")
        let rows = Self.observed
        let mean = rows.reduce(0) { $0 + $1.truth } / Double(rows.count)
        #expect(meanAbsoluteError(rows) <= 0.35 * mean, "MAE \(meanAbsoluteError(rows)) against a mean of \(mean) people")
        // Where groups hide one another the overlap correction must add people: `cover` above `area`.
        let crowded = rows.filter { $0.truth >= 20 }
        #expect(!crowded.isEmpty && crowded.allSatisfy { $0.measurement.cover > $0.measurement.area })
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
        #expect(fit.crossValidationError.map { $0 <= 0.15 * mean } == true)
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
        // Solid synthetic bodies count 1.0-1.45 each by default (see perspectiveOnly).
        #expect(settled >= 10 && settled <= 14.5, "just after stopping: \(settled)")
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
        var estimator = CrowdEstimator(model: CrowdModel(features: [.units], coefficients: [1], intercept: 0), perspective: perspective)
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

    @Test("cover: equal to area where people stand apart, more where a cell is mostly covered (−ln(1 − f) of it)")
    func coverCorrectsOverlap() {
        let perspective = PerspectiveScale(nearY: 1, nearPersonHeight: 0.2, farY: 0, farPersonHeight: 0.2)
        var estimator = CrowdEstimator(perspective: perspective)
        // Person height 54 px everywhere: cells 54 px square from the top-left corner.
        var mask = GrayImage(width: 480, height: 270)
        func fill(_ x0: Int, _ y0: Int, _ w: Int, _ h: Int) {
            for y in y0..<(y0 + h) { for x in x0..<(x0 + w) { mask.pixels[y * 480 + x] = 255 } }
        }
        fill(0, 0, 6, 10)
        _ = estimator.estimate(mask: mask, blobs: [], zones: [])
        let sparse = estimator.measurements[0]
        #expect(sparse.area > 0 && abs(sparse.cover / sparse.area - 1) < 0.02, "\(sparse)")
        // 40 of the second cell's 54 rows covered: −ln(14/54) = 1.350 cells of bodies, not 0.741.
        mask = GrayImage(width: 480, height: 270)
        fill(54, 0, 54, 40)
        _ = estimator.estimate(mask: mask, blobs: [], zones: [])
        let dense = estimator.measurements[0]
        let areaOfCell = 54.0 * 54 / (0.35 * 54 * 54)
        #expect(abs(dense.area - 40.0 / 54 * areaOfCell) < 0.001 * areaOfCell, "\(dense)")
        #expect(abs(dense.cover - 1.3499 * areaOfCell) < 0.001 * areaOfCell, "\(dense)")
    }

    @Test("texture and scene: edges of the picture inside the foreground and anywhere in the zone; none without a picture")
    func pictureEdges() {
        var estimator = CrowdEstimator(model: CrowdModel(features: [.scene], coefficients: [1], intercept: 0), perspective: nil)
        // Two bright 40×40 squares on a flat dark floor; the mask holds the first (and a
        // margin round it), the zone is the right half of the frame, which holds the second.
        var image = GrayImage(width: 480, height: 270), mask = GrayImage(width: 480, height: 270)
        for index in image.pixels.indices { image.pixels[index] = 40 }
        for y in 100..<140 { for x in 100..<140 { image.pixels[y * 480 + x] = 200 } }
        for y in 100..<140 { for x in 300..<340 { image.pixels[y * 480 + x] = 200 } }
        for y in 96..<144 { for x in 96..<144 { mask.pixels[y * 480 + x] = 255 } }
        let right = ZoneMask(polygons: [Polygon([Point(x: 0.5, y: 0), Point(x: 1, y: 0), Point(x: 1, y: 1), Point(x: 0.5, y: 1)])],
                             width: 480, height: 270)
        _ = estimator.estimate(mask: mask, image: image, blobs: [], zones: [right])
        let weight = 1 / (2.5 * 0.2 * 270)
        let frame = estimator.measurements[0], zone = estimator.measurements[1]
        // Each square's step is an edge two pixels wide (the last dark and the first bright
        // pixel) along four 40-pixel sides: 320 pixels, of which every second pixel of every
        // second row (odd ones) is tested and counts four: 80 per side, less the one sample,
        // (139, 139), that the right and bottom sides share: 316.
        #expect(abs(frame.scene / weight - 632) < 0.01, "\(frame.scene / weight) edge pixels")
        #expect(abs(frame.texture / weight - 316) < 0.01, "\(frame.texture / weight) edge pixels in the foreground")
        #expect(abs(zone.scene / weight - 316) < 0.01 && zone.texture == 0, "\(zone)")
        #expect(estimator.estimates[0] == frame.scene)
        _ = estimator.estimate(mask: mask, blobs: [], zones: [right])
        #expect(estimator.measurements[0].scene == 0 && estimator.measurements[0].texture == 0 && estimator.measurements[0].area > 0)
    }

    @Test("the edges pass runs only for a model that uses edges or when asked for every feature; zones past the 64th get nothing and crash nothing")
    func edgesOnDemandAndManyZones() {
        var image = GrayImage(width: 160, height: 90), mask = GrayImage(width: 160, height: 90)
        for y in 30..<60 { for x in 40..<80 { image.pixels[y * 160 + x] = 200; mask.pixels[y * 160 + x] = 255 } }
        let everywhere = ZoneMask(polygons: [Polygon([Point(x: 0, y: 0), Point(x: 1, y: 0), Point(x: 1, y: 1), Point(x: 0, y: 1)])], width: 160, height: 90)
        let zones = Array(repeating: everywhere, count: 70)
        var estimator = CrowdEstimator(perspective: nil)
        _ = estimator.estimate(mask: mask, image: image, blobs: [], zones: zones)
        #expect(estimator.measurements[0].area > 0 && estimator.measurements[0].scene == 0, "default model: no edges pass")
        estimator.measuresAllFeatures = true
        let estimates = estimator.estimate(mask: mask, image: image, blobs: [], zones: zones)
        #expect(estimator.measurements[0].scene > 0 && estimator.measurements[0].texture > 0)
        #expect(estimator.measurements[64].cover == estimator.measurements[0].cover && estimates[64] > 0)
        #expect(estimator.measurements[65] == CrowdMeasurement() && estimates[65] == 0 && estimates.count == 71)
    }

    @Test("calibration on many frames: 5 blocks of consecutive frames, through the origin unless an intercept is asked for, whose error is reported")
    func blockCrossValidation() throws {
        // People = 10 + 2 × cover, with a little noise; `scene` is unrelated.
        let samples = (0..<100).map { index -> CrowdModelFitting.Sample in
            let cover = Double(5 + (index * 37) % 20), noise = Double((index * 7919) % 13) / 26 - 0.25
            return .init(measurement: CrowdMeasurement(area: cover, cover: cover, scene: Double((index * 53) % 29)), people: 10 + 2 * cover + noise, frame: index)
        }
        // By default through the origin: the intercept's lower error is measured and reported, not used.
        let origin = try CrowdModelFitting.fitSelectingFeatures(samples, candidates: [.cover, .scene])
        #expect(origin.folds == 5 && origin.model.intercept == 0 && origin.model.features == [.cover], "\(origin.model)")
        let originError = try #require(origin.crossValidationError), interceptError = try #require(origin.interceptError)
        #expect(interceptError < 0.3 && originError > 1, "\(originError) \(interceptError)")
        // Asked for, the intercept is found, and `scene` (unrelated) is left out.
        let fit = try CrowdModelFitting.fitSelectingFeatures(samples, candidates: [.cover, .scene], intercept: true)
        #expect(fit.folds == 5 && fit.model.features == [.cover], "\(fit.model.features)")
        #expect(abs(fit.model.intercept - 10) < 0.5 && abs(fit.model.coefficients[0] - 2) < 0.05, "\(fit.model)")
        #expect((fit.crossValidationError ?? 9) < 0.3 && fit.interceptError == nil)
        // Data through the origin: the same choice, with nothing better to report.
        let through = try CrowdModelFitting.fitSelectingFeatures(samples.map { .init(measurement: $0.measurement, people: $0.people - 10, frame: $0.frame) },
                                                                 candidates: [.cover, .scene])
        #expect(through.model.intercept == 0 && through.model.features == [.cover], "\(through.model)")
        let throughError = try #require(through.crossValidationError), throughIntercept = try #require(through.interceptError)
        #expect(throughIntercept >= throughError - 0.05, "\(throughError) \(throughIntercept)")
        // Named features are kept together (`vigil calibrate --features`), and `scene` brings an intercept.
        let named = try CrowdModelFitting.fitSelectingFeatures(samples, candidates: [.cover, .scene], subsets: false)
        #expect(named.model.features == [.cover, .scene] && named.model.intercept != 0)
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
        let fit = try CrowdModelFitting.fitSelectingFeatures(samples, candidates: [.area, .edges, .blobs, .units], ridges: [0.0001])
        #expect(fit.model.features == [.blobs] || fit.model.features == [.units], "\(fit.model.features)")
        #expect((fit.crossValidationError ?? 1) < 0.01 && fit.folds == samples.count)
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
