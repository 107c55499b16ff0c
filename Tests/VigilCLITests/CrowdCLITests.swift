import Foundation
import Testing
import VigilSynth
import VigilTestSupport

extension CLITests {
    @Test("vigil calibrate fits a model to MOTChallenge boxes; a camera's model gives people per frame in --frames-out")
    func calibrateAndUseCrowdModel() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, name: "crowd.mp4", preset: .crowd, width: 480, height: 270, frames: 200, fps: 10, truth: true)
        let perspective = SceneSpec.crowdPerspective
        let config = directory.file("crowd.yaml")
        try """
        cameras:
          - id: square
            source: crowd.mp4
            perspective: { near: { y: \(perspective.nearY), person_height: \(perspective.nearPersonHeight) }, far: { y: \(perspective.farY), person_height: \(perspective.farPersonHeight) } }
            model: square-crowd.json
            zones:
              - { id: all, polygon: [[0,0],[1,0],[1,1],[0,1]], crowd: { levels: [10, 20] } }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        // The synthetic truth's boxes are MOTChallenge rows: each frame counts its people.
        let calibrate = try vigil(["calibrate", clip.path, "--annotations", directory.file("crowd.mp4.truth/boxes.txt"),
                                   "--out", directory.file("square-crowd.json"), "--config", config])
        #expect(calibrate.status == 0, "\(calibrate.stderr)")
        #expect(calibrate.stdout.contains("people = ") && calibrate.stdout.contains("5-fold"), "\(calibrate.stdout)")
        let model = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.file("square-crowd.json")))) as? [String: Any]
        #expect(model?["kind"] as? String == "vigil-crowd-model")
        // Features chosen by cross-validation: a non-empty subset, as printed.
        let features = model?["features"] as? [String] ?? []
        #expect(!features.isEmpty && Set(features).isSubset(of: ["area", "edges", "blobs", "units", "cover", "texture", "scene", "sizes"]), "\(features)")
        // One coefficient prints "c × feature"; the 18 of `sizes` print "[c, …] · sizes".
        #expect(features.allSatisfy { calibrate.stdout.contains("× \($0)") || calibrate.stdout.contains("] · \($0)") }, "\(calibrate.stdout)")
        #expect((model?["coefficients"] as? [Double])?.count == features.reduce(0) { $0 + ($1 == "sizes" ? 18 : 1) })
        let training = model?["training"] as? [String: Any]
        #expect((training?["frames"] as? [Int])?.count ?? 0 > 150)
        #expect((training?["mean_absolute_error"] as? Double).map { $0 < 2 } == true, "\(training ?? [:])")
        #expect((training?["cross_validation_error"] as? Double).map { $0 < 2.5 } == true && training?["folds"] as? Int == 5, "\(training ?? [:])")

        let analyze = try vigil(["analyze", clip.path, "--config", config, "--camera", "square", "--frames-out", directory.file("frames.jsonl"),
                                 "--events-out", directory.file("events.jsonl")])
        #expect(analyze.status == 0, "\(analyze.stderr)")
        let truth = try String(contentsOfFile: directory.file("crowd.mp4.truth/boxes.txt"), encoding: .utf8)
        var counts: [Int: Int] = [:]
        for line in truth.split(separator: "\n") { counts[Int(line.split(separator: ",")[0])! - 1, default: 0] += 1 }
        var errors: [Double] = []
        for line in try String(contentsOfFile: directory.file("frames.jsonl"), encoding: .utf8).split(separator: "\n") {
            let frame = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            guard let index = frame?["frame"] as? Int, index >= 30, let people = frame?["people"] as? Double else { continue }
            #expect((frame?["zone_people"] as? [String: Double])?["all"] != nil)
            errors.append(abs(people - Double(counts[index] ?? 0)))
        }
        #expect(errors.count > 150)
        let mae = errors.reduce(0, +) / Double(errors.count)
        #expect(mae < 2, "people per frame with the calibrated model: MAE \(mae)")
        // The zone crossed 10 people: a crowd_level event.
        #expect(try String(contentsOfFile: directory.file("events.jsonl"), encoding: .utf8).contains("\"crowd_level\""))
    }

    @Test("bad annotations and a bad crowd model are clear errors, exit 2")
    func badCrowdInputs() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, frames: 25)
        try "# counts\n{\"frame\": 3, \"count\": 2}\n{\"frame\": \"x\"}\n".write(toFile: directory.file("bad.jsonl"), atomically: true, encoding: .utf8)
        let annotations = try vigil(["calibrate", clip.path, "--annotations", directory.file("bad.jsonl"), "--out", directory.file("m.json")])
        #expect(annotations.status == 2)
        #expect(annotations.stderr.contains("bad.jsonl:3"), "\(annotations.stderr)")
        try "{\"kind\": \"vigil-object-classes\", \"version\": 1}".write(toFile: directory.file("wrong.json"), atomically: true, encoding: .utf8)
        let model = try vigil(["analyze", clip.path, "--crowd-model", directory.file("wrong.json")])
        #expect(model.status == 2)
        #expect(model.stderr.contains("wrong.json") && model.stderr.contains("vigil-crowd-model"), "\(model.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("m.json")))
    }
}
