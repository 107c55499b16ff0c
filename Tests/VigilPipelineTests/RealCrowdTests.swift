import Foundation
import Testing
import VigilConfig
import VigilMedia
import VigilPipeline
import VigilTestSupport
import VigilVision

/// People counts on real footage against my own counts: vtest.avi (PETS 2009 S2.L1, from
/// Debian's opencv-doc, fetched by SampleVideos/fetch-real.sh), the plaza zone of
/// bench/data/vtest-crowd.yaml. Calibrated on frames 0–380 (bench/data/vtest-counts.jsonl),
/// tested on frames 410–790 (bench/data/vtest-counts-fresh.jsonl, counted before the
/// estimator's `units` feature existed). bench/crowd.py measured the peers on the same
/// frames: OpenCV's HOG people detector and MOG2 blob counting, both 0.85 people per frame.
@Suite("Crowd counts on real footage")
struct RealCrowdTests {
    static let bench = RealFootageTests.repository.appendingPathComponent("bench/data").path

    static func counts(_ file: String) throws -> [Int: Double] {
        var counts: [Int: Double] = [:]
        for line in try String(contentsOfFile: bench + "/" + file, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Int]
            counts[record["frame"]!] = Double(record["count"]!)
        }
        return counts
    }

    @Test("vtest plaza: calibrated on frames 0-380, under 0.6 people per frame off on frames 410-790; the default under 0.75")
    func vtestPlaza() throws {
        let clip = RealFootageTests.repository.appendingPathComponent("SampleVideos/real/vtest.avi").path
        try #require(FileManager.default.fileExists(atPath: clip), "missing \(clip): SampleVideos/fetch-real.sh fetches it")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let configuration = try ConfigLoader.load(path: Self.bench + "/vtest-crowd.yaml")
        var camera = configuration.cameras[0]
        camera.source = clip
        // One pass of the camera's analysis measures every annotated frame (what is measured
        // does not depend on the model); the model is then fitted on the training frames alone.
        let training = try Self.counts("vtest-counts.jsonl").filter { $0.key < 400 }
        let test = try Self.counts("vtest-counts-fresh.jsonl")
        try training.merging(test) { first, _ in first }.sorted { $0.key < $1.key }
            .map { "{\"frame\": \($0.key), \"count\": \(Int($0.value))}" }.joined(separator: "\n")
            .write(toFile: directory.file("counts.jsonl"), atomically: true, encoding: .utf8)
        var calibration = CrowdCalibration(clip: SourceLocation(clip), camera: camera, annotationsPath: directory.file("counts.jsonl"))
        calibration.zone = "plaza"
        let samples = try calibration.measure().samples
        let model = try CrowdModelFitting.fitSelectingFeatures(samples.filter { training[$0.frame] != nil }).model
        let held = samples.filter { test[$0.frame] != nil }
        #expect(held.count == test.count)
        func error(_ model: CrowdModel) -> Double {
            held.reduce(0) { $0 + abs(model.people($1.measurement) - $1.people) } / Double(max(1, held.count))
        }
        // Bounds, stated: measured 0.42 calibrated and 0.62 by default (BENCHMARKS.md); with
        // consensus masks, `sizes`, edges at 8 grey levels and the paired rule 0.40 (`edges` +
        // `units`) and 0.38 (2026-12-07); the
        // bounds leave a little room for codec and platform differences and stay well below
        // the peers' 0.85.
        #expect(error(model) < 0.6, "calibrated MAE \(error(model)) with \(model.features)")
        #expect(error(.perspectiveOnly) < 0.75, "default MAE \(error(.perspectiveOnly))")
    }
}

/// A real dense crowd: the Mall dataset (../shared/datasets/crowd/mall-train, 13-50 people,
/// every head marked), the camera of bench/data/mall-crowd.yaml. One pass of the analysis
/// measures every frame; the model is fitted, as `vigil calibrate` fits it, on one half
/// (frames 0-399, the first 20 being the warm-up) and scored on the other, then the reverse.
@Suite("Crowd counts on a dense real crowd")
struct MallCrowdTests {
    static let dataset = RealFootageTests.repository.appendingPathComponent("../shared/datasets/crowd/mall-train").standardizedFileURL.path

    @Test("mall: calibrated on one half, held-out MAE under 2.5 people on the other (a mean of 29), the issue's target; the default within 16 % on each half and 15 % over the scene")
    func mallHalves() throws {
        try #require(FileManager.default.fileExists(atPath: Self.dataset + "/input.mp4"), "../shared/datasets/crowd/mall-train is missing beside the checkout")
        let configuration = try ConfigLoader.load(path: RealCrowdTests.bench + "/mall-crowd.yaml")
        var camera = configuration.cameras[0]
        camera.source = Self.dataset + "/input.mp4"
        var calibration = CrowdCalibration(clip: SourceLocation(camera.source), camera: camera, annotationsPath: Self.dataset + "/counts.jsonl")
        calibration.zone = "roi"
        let measured = try calibration.measure()
        #expect(measured.samples.count == 780 && measured.skippedWarmUp == Array(0..<20), "\(measured.samples.count) measured")
        let halves = [measured.samples.filter { $0.frame < 400 }, measured.samples.filter { $0.frame >= 400 }]
        // Bounds, stated: with the default consensus masks, measured 2.42 (first half -> second)
        // and 2.37 (second -> first) since blob-size features (`sizes`), edges at 8 grey levels
        // and the paired selection rule (3.16 and 2.84 before), default 14.6 % and 15.3 % per
        // half, 14.9 % over frames 20-799 (BENCHMARKS.md). The calibrated bound is the issue's
        // target, 2.5 on each half; its default target, 15 %, holds over the scene (the
        // default is fitted on none of it) but not on frames 20-399 alone.
        // The default model's error and the mean count over a set of frames.
        func standing(_ samples: [CrowdModelFitting.Sample]) -> (error: Double, mean: Double) {
            (CrowdModelFitting.meanAbsoluteError(.perspectiveOnly, samples), samples.reduce(0) { $0 + $1.people } / Double(samples.count))
        }
        for (training, test, bound) in [(halves[0], halves[1], 2.5), (halves[1], halves[0], 2.5)] {
            let fit = try CrowdModelFitting.fitSelectingFeatures(training)
            #expect(fit.folds == 5 && fit.model.intercept == 0)
            let calibrated = CrowdModelFitting.meanAbsoluteError(fit.model, test)
            let half = standing(test)
            #expect(calibrated < bound, "calibrated on \(training.first!.frame)-\(training.last!.frame): held-out MAE \(calibrated) with \(fit.model.features)")
            #expect(half.error < 0.16 * half.mean, "default MAE \(half.error) against a mean of \(half.mean)")
            #expect(calibrated < half.error)
        }
        let scene = standing(measured.samples)
        #expect(scene.error < 0.15 * scene.mean, "default MAE \(scene.error) over frames 20-799 against a mean of \(scene.mean)")
    }
}
