import Foundation
import Testing
import VigilConfig
import VigilMedia
import VigilPipeline
import VigilTestSupport
import VigilVision

/// `motion: { model: ... }` in the camera config and `--motion-model` pick the background
/// model the pipeline runs; anything else is refused by name.
@Suite("Motion model choice")
struct MotionModelChoiceTests {
    @Test("the config accepts exactly the models VigilVision has")
    func namesAgree() {
        #expect(CameraSettings.motionModels.sorted() == MotionModelKind.allCases.map(\.rawValue).sorted())
    }

    @Test("motion.model picks the model; the command line's choice wins over it; the default is consensus")
    func choice() throws {
        let configuration = try ConfigLoader.parse(yaml: """
            cameras:
              - { id: a, source: x.mp4, motion: { model: adaptive } }
              - { id: b, source: y.mp4 }
            """)
        #expect(configuration.cameras[0].motionModel == "adaptive")
        #expect(configuration.cameras[1].motionModel == nil)
        #expect(try CameraPipeline(camera: configuration.cameras[0]).analyzer is MotionDetector)
        #expect(try CameraPipeline(camera: configuration.cameras[1]).analyzer is SampleConsensusMotion)
        #expect(try CameraPipeline(camera: configuration.cameras[0], motionModel: .consensus).analyzer is SampleConsensusMotion)
    }

    @Test("a zone rule that waits longer for something still than the model keeps it makes the model keep it longer")
    func stillObjectsKeptForTheRules() throws {
        let configuration = try ConfigLoader.parse(yaml: """
            cameras:
              - id: a
                source: x.mp4
                zones:
                  - { id: hall, polygon: [[0, 0], [1, 0], [1, 1]], abandoned_object: { seconds: 600 } }
              - id: b
                source: y.mp4
                zones:
                  - { id: gate, polygon: [[0, 0], [1, 0], [1, 1]], loitering: { seconds: 30 } }
            """)
        let standard = MotionSettings().absorbStillFrames
        // Ten minutes, half as long again, at up to 30 frames a second.
        #expect(CameraPipeline.absorbStillFrames(standard, camera: configuration.cameras[0]) == 27_000)
        #expect(CameraPipeline.absorbStillFrames(standard, camera: configuration.cameras[1]) == standard)
        #expect(CameraPipeline.absorbStillFrames(0, camera: configuration.cameras[0]) == 0, "0 keeps still objects for ever")
    }

    @Test("motion.threshold sets the consensus model's threshold; out of range or beside model: adaptive it is refused")
    func threshold() throws {
        let configuration = try ConfigLoader.parse(yaml: """
            cameras:
              - { id: fog, source: x.mp4, motion: { threshold: 10 } }
              - { id: clear, source: y.mp4 }
            """)
        #expect(configuration.cameras[0].motionThreshold == 10)
        #expect(configuration.cameras[1].motionThreshold == nil)
        let fog = try #require(try CameraPipeline(camera: configuration.cameras[0]).analyzer as? SampleConsensusMotion)
        let clear = try #require(try CameraPipeline(camera: configuration.cameras[1]).analyzer as? SampleConsensusMotion)
        #expect(fog.settings.sampleDistance == 10)
        #expect(clear.settings.sampleDistance == MotionSettings().sampleDistance)
        expectRefused([("{ threshold: 2 }", "from 4 to 80"), ("{ threshold: soft }", "whole number"),
                       ("{ threshold: 10, model: adaptive }", "consensus")], field: "cameras[0].motion.threshold")
    }

    @Test("a faint object (12 grey levels on a still picture) moves at threshold 10 and not at the default")
    func faintObjectAtALowerThreshold() throws {
        func motion(threshold: Int?) throws -> Double {
            let motion = threshold.map { ", motion: { threshold: \($0) }" } ?? ""
            let camera = try ConfigLoader.parse(yaml: "cameras:\n  - { id: fog, source: x.mp4\(motion) }\n").cameras[0]
            var analyzer = try CameraPipeline(camera: camera).analyzer
            var image = GrayImage(width: 160, height: 90)
            var most = 0.0
            for frame in 0..<60 {
                for index in image.pixels.indices { image.pixels[index] = 100 }
                if frame >= 30 {
                    // A 16 × 16 square, 12 grey levels lighter, moving right 2 px a frame.
                    let left = 20 + 2 * (frame - 30)
                    for y in 30..<46 { for x in left..<(left + 16) { image.pixels[y * 160 + x] = 112 } }
                }
                most = max(most, analyzer.analyze(image).motionFraction ?? 0)
            }
            return most
        }
        #expect(try motion(threshold: 10) > 0.01)
        #expect(try motion(threshold: nil) == 0, "12 grey levels are under the default 20")
    }

    @Test("motion.threshold_rise bounds how far the consensus model raises a pixel's threshold; out of range, not a number or beside model: adaptive it is refused")
    func thresholdRise() throws {
        let configuration = try ConfigLoader.parse(yaml: """
            cameras:
              - { id: road, source: x.mp4, motion: { threshold: 10, threshold_rise: 1.5 } }
              - { id: park, source: y.mp4 }
            """)
        #expect(configuration.cameras[0].motionThresholdRise == 1.5)
        #expect(configuration.cameras[1].motionThresholdRise == nil)
        let road = try #require(try CameraPipeline(camera: configuration.cameras[0]).analyzer as? SampleConsensusMotion)
        let park = try #require(try CameraPipeline(camera: configuration.cameras[1]).analyzer as? SampleConsensusMotion)
        #expect(road.settings.largestThresholdFactor == 1.5 && road.settings.sampleDistance == 10)
        #expect(park.settings.largestThresholdFactor == MotionSettings().largestThresholdFactor)
        expectRefused([("{ threshold_rise: 0.5 }", "from 1.0 to 5.0"), ("{ threshold_rise: 6 }", "from 1.0 to 5.0"),
                       ("{ threshold_rise: high }", "number"), ("{ threshold_rise: 2, model: adaptive }", "consensus")],
                      field: "cameras[0].motion.threshold_rise")
    }

    /// Each `motion:` mapping is a config error naming `field` and saying `message`.
    func expectRefused(_ cases: [(yaml: String, message: String)], field: String) {
        for (yaml, message) in cases {
            do {
                _ = try ConfigLoader.parse(yaml: "cameras:\n  - { id: a, source: x, motion: \(yaml) }\n", file: "cams.yaml")
                Issue.record("accepted \(yaml)")
            } catch {
                let text = "\(error)"
                #expect(text.contains(field) && text.contains(message), "\(text)")
            }
        }
    }

    @Test("on m30-hd's busy lanes pixels' thresholds rise past 1.5 times the threshold by default, and threshold_rise 1.5 holds them there")
    func riseCappedOnRealTraffic() throws {
        let path = RealFootageTests.repository.appendingPathComponent("../shared/datasets/traffic/m30-hd/input.mp4").standardized.path
        try #require(FileManager.default.fileExists(atPath: path), "missing \(path): ../shared/datasets beside the repository")
        /// The highest per-pixel threshold after 60 frames, and the most motion seen.
        func run(rise: Double?) throws -> (highest: Int, motion: Double) {
            let motion = ", motion: { threshold: 10" + (rise.map { ", threshold_rise: \($0)" } ?? "") + " }"
            let camera = try ConfigLoader.parse(yaml: "cameras:\n  - { id: road, source: x.mp4\(motion) }\n").cameras[0]
            let pipeline = try CameraPipeline(camera: camera)
            var analyzer = pipeline.analyzer
            let reader = FrameReader(source: try VideoSource(SourceLocation(path)), size: AnalysisSize(width: 480))
            var most = 0.0
            for _ in 0..<60 {
                guard let frame = try reader.next() else { break }
                most = max(most, analyzer.analyze(frame.image).motionFraction ?? 0)
                reader.recycle(frame)
            }
            let model = try #require(analyzer as? SampleConsensusMotion)
            return (model.highestThreshold, most)
        }
        let standard = try run(rise: nil), capped = try run(rise: 1.5)
        // Traffic was seen either way, and by default its lanes' thresholds rose.
        #expect(standard.motion > 0.01 && capped.motion > 0.01, "\(standard), \(capped)")
        #expect(standard.highest > 15, "default rise: highest threshold \(standard.highest)")
        #expect(capped.highest <= 15, "threshold_rise 1.5: highest threshold \(capped.highest)")
    }

    @Test("an unknown model is a config error that names the field and the choices")
    func unknown() {
        do {
            _ = try ConfigLoader.parse(yaml: "cameras:\n  - { id: a, source: x, motion: { model: vibe } }\n", file: "cams.yaml")
            Issue.record("an unknown model was accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains("cameras[0].motion.model") && text.contains("consensus") && text.contains("vibe"), "\(text)")
        }
    }

    @Test("vigil analyze with the consensus model writes masks that mark the moving objects")
    func analyzeWithConsensus() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, preset: .people, frames: 60, truth: true)
        var options = ClipAnalysisOptions(input: SourceLocation(clip.path))
        options.motionModel = .consensus
        options.framesOut = directory.file("frames.jsonl")
        _ = try ClipAnalysis(options: options).run()
        let lines = try String(contentsOfFile: directory.file("frames.jsonl"), encoding: .utf8).split(separator: "\n")
        let motion = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }.compactMap { $0["motion"] as? Double }
        #expect(lines.count == 60)
        // After the 20-frame warm-up, the people in the clip are marked on most frames.
        #expect(motion.dropFirst(20).filter { $0 > 0.001 }.count >= 30, "\(motion)")
    }
}
