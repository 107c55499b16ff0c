import Testing
@testable import VigilVision

/// `sizes`: the area, outline and edges of each moving region, put in the band of its size;
/// and the paired choice that lets 18 such columns into a calibrated model.
@Suite("Crowd features by blob size")
struct CrowdSizesTests {
    // No perspective: people are 0.2 of 270 rows, 54 px tall; a person's area 0.35 × 54².
    static let personArea = 0.35 * 54 * 54

    /// Three regions: a 10 × 10 speck (0.10 of a person: band 0), a 20 × 30 part of one (0.59: band 2) and a
    /// 40 × 60 group (2.35: band 4), the group with vertical stripes 8 grey levels apart inside it.
    static func scene() -> (mask: GrayImage, image: GrayImage) {
        var mask = GrayImage(width: 480, height: 270), image = GrayImage(width: 480, height: 270)
        func fill(_ x0: Int, _ y0: Int, _ w: Int, _ h: Int) {
            for y in y0..<(y0 + h) { for x in x0..<(x0 + w) { mask.pixels[y * 480 + x] = 255 } }
        }
        fill(20, 20, 10, 10)
        fill(100, 100, 20, 30)
        fill(300, 150, 40, 60)
        for y in 150..<210 { for x in 300..<340 where (x / 4) % 2 == 0 { image.pixels[y * 480 + x] = 8 } }
        return (mask, image)
    }

    @Test("each region's area and outline land in its band of size; together they are the frame's area and outline; a zone gets the regions that stand in it")
    func bandsOfSize() {
        let (mask, image) = Self.scene()
        let rightHalf = ZoneMask(polygons: [Polygon([Point(x: 0.5, y: 0), Point(x: 1, y: 0), Point(x: 1, y: 1), Point(x: 0.5, y: 1)])], width: 480, height: 270)
        var estimator = CrowdEstimator(model: CrowdModel(features: [.sizes], coefficients: Array(repeating: 1, count: 18), intercept: 0), perspective: nil)
        _ = estimator.estimate(mask: mask, image: image, blobs: [], zones: [rightHalf])
        let frame = estimator.measurements[0], zone = estimator.measurements[1]
        let expected: [Double] = [100, 0, 600, 0, 2400, 0, 0, 0].map { $0 / Self.personArea }
        for band in 0..<8 { #expect(abs(frame.sizeArea[band] - expected[band]) < 1e-9, "band \(band): \(frame.sizeArea)") }
        #expect(abs(frame.sizeArea.sum() - frame.area) < 1e-9)
        #expect(abs(frame.sizeOutline.sum() - frame.edges) < 1e-9, "\(frame.sizeOutline) against \(frame.edges)")
        // A 10 × 10 square's outline is 36 pixels, at 1 / (2.5 × 54) each.
        #expect(abs(frame.sizeOutline[0] - 36 / (2.5 * 54)) < 1e-9)
        // Stripes 4 px wide: only the group has edges inside it, and all the foreground's are there.
        #expect(frame.texture > 0 && abs(frame.sizeTexture[4] - frame.texture) < 1e-9 && frame.sizeTexture.sum() == frame.sizeTexture[4])
        #expect(zone.sizeArea[4] == frame.sizeArea[4] && zone.sizeArea[0] == 0 && zone.sizeArea[2] == 0, "\(zone.sizeArea)")
        // The model sums coefficient × column: here every column once.
        let columns = frame.sizeArea.sum() + frame.sizeOutline.sum() + frame.sizeTexture.sum()
        #expect(abs(estimator.estimates[0] - columns) < 1e-9)
    }

    @Test("the default model measures no sizes; `sizes` takes 18 coefficients; regions fall in the band below each upper edge")
    func sizesOnDemand() {
        let (mask, image) = Self.scene()
        var estimator = CrowdEstimator(perspective: nil)
        _ = estimator.estimate(mask: mask, image: image, blobs: [], zones: [])
        #expect(estimator.measurements[0].area > 0 && estimator.measurements[0].sizeArea == .zero)
        #expect(CrowdModel.columns([.area, .sizes, .texture]) == 20)
        #expect(CrowdFeature.sizeBand(personAreas: 0.1) == 0 && CrowdFeature.sizeBand(personAreas: 0.25) == 1
                && CrowdFeature.sizeBand(personAreas: 3) == 4 && CrowdFeature.sizeBand(personAreas: 100) == 5)
    }

    @Test("a fit from sums, less a fold's, is the fit on the other frames")
    func momentsMatchDirectFit() {
        let samples = (0..<60).map { index -> CrowdModelFitting.Sample in
            var measurement = CrowdMeasurement(area: Double(index % 13), edges: Double((index * 7) % 11))
            measurement.sizeArea[1] = Double((index * 5) % 9)
            measurement.sizeTexture[4] = Double((index * 3) % 7)
            return .init(measurement: measurement, people: 1 + 2 * measurement.area + measurement.sizeArea[1] + Double(index % 3), frame: index)
        }
        let features: [CrowdFeature] = [.area, .edges, .sizes]
        let all = CrowdMoments(features: features, samples: samples), fold = CrowdMoments(features: features, samples: samples[0..<12])
        for intercept in [false, true] {
            let fromSums = all.removing(fold).solve([.area, .sizes], ridge: 0.01, intercept: intercept)
            let direct = CrowdModelFitting.solve(Array(samples[12...]), features: [.area, .sizes], ridge: 0.01, intercept: intercept)
            #expect(fromSums.coefficients.count == 19)
            #expect(zip(fromSums.coefficients, direct.coefficients).allSatisfy { abs($0 - $1) < 1e-9 } && abs(fromSums.intercept - direct.intercept) < 1e-9)
        }
    }

    @Test("selection compares each model's held-out errors with the best one's frame by frame: a feature that helps on every frame is kept even where hard frames scatter the errors")
    func pairedSelection() throws {
        // People = the big regions' area + 3 × the small pieces' area + a disturbance no feature
        // sees: within a person on most frames, up to ±20 on three in ten (the hard frames,
        // whose errors scatter every model's mean error by about half a person); `area` adds
        // both kinds of region alike.
        var state: UInt64 = 7
        func random() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let samples = (0..<400).map { index -> CrowdModelFitting.Sample in
            let big = 20 + 20 * random(), small = 1.5 * random()
            let hard = random() < 0.3 ? 40 * (random() - 0.5) : 2 * (random() - 0.5)
            var measurement = CrowdMeasurement(area: big + small)
            measurement.sizeArea[0] = small
            measurement.sizeArea[3] = big
            return .init(measurement: measurement, people: max(0, big + 3 * small + hard), frame: index)
        }
        let fit = try CrowdModelFitting.fitSelectingFeatures(samples, candidates: [.area, .sizes])
        let areaOnly = try CrowdModelFitting.fit(samples, features: [.area], ridge: fit.ridge)
        let sizesOnly = try CrowdModelFitting.fit(samples, features: [.sizes], ridge: fit.ridge)
        #expect(fit.model.features == [.sizes], "chose \(fit.model.features): sizes \(sizesOnly.crossValidationError ?? 0), area \(areaOnly.crossValidationError ?? 0)")
        #expect(CrowdModelFitting.standardError(ofExcess: [3, 5, 4], over: [1, 3, 2]) == 0)
    }
}
