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
        for (yaml, message) in [("{ threshold: 2 }", "from 4 to 80"), ("{ threshold: soft }", "whole number"),
                                ("{ threshold: 10, model: adaptive }", "consensus")] {
            do {
                _ = try ConfigLoader.parse(yaml: "cameras:\n  - { id: a, source: x, motion: \(yaml) }\n", file: "cams.yaml")
                Issue.record("accepted \(yaml)")
            } catch {
                let text = "\(error)"
                #expect(text.contains("cameras[0].motion.threshold") && text.contains(message), "\(text)")
            }
        }
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
