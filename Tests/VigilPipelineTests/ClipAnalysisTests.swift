import Foundation
import Testing
import VigilMedia
import VigilPipeline
import VigilSynth
import VigilTestSupport

@Suite("vigil analyze pipeline")
struct ClipAnalysisTests {
    @Test("frames-out has one line per analysed frame, masks-out one PNG per frame")
    func evaluationOutputs() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, frames: 30)
        var options = ClipAnalysisOptions(input: SourceLocation(clip.path))
        options.framesOut = directory.file("frames.jsonl")
        options.masksOut = directory.file("masks")
        let report = try ClipAnalysis(options: options).run()
        #expect(report.frames.analysed == 30 && !report.incomplete)
        let lines = try String(contentsOfFile: directory.file("frames.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 30)
        for (index, line) in lines.enumerated() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["frame"] as? Int == index)
            #expect(abs((object["pts"] as? Double ?? -1) - Double(index) / 25) < 0.001)
            #expect(object["motion"] is Double)
        }
        let masks = try FileManager.default.contentsOfDirectory(atPath: directory.file("masks")).sorted()
        #expect(masks.count == 30 && masks.first == "000000.png" && masks.last == "000029.png")
    }

    @Test("the report times every stage per frame")
    func reportStages() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, frames: 20)
        var options = ClipAnalysisOptions(input: SourceLocation(clip.path))
        options.analysis = .none
        let report = try ClipAnalysis(options: options).run()
        #expect(Set(report.stageMillisecondsPerFrame.keys) == ["decode", "scale", "analysis_none", "output"])
        #expect(report.stageMillisecondsPerFrame["decode"]! > 0)
        #expect(report.meanMotion == nil)
        let json = try JSONSerialization.jsonObject(with: report.jsonData()) as? [String: Any]
        #expect((json?["frames"] as? [String: Any])?["analysed"] as? Int == 20)
    }

    @Test("the motion step sees moving vehicles and stays quiet on a still, noisy scene")
    func motionBaseline() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let traffic = try makeClip(in: directory, name: "traffic.mp4", preset: .traffic, frames: 60)
        let moving = try ClipAnalysis(options: ClipAnalysisOptions(input: SourceLocation(traffic.path))).run()
        #expect(moving.meanMotion! > 0.005)

        // Through H.264: compression noise on a textured background must not count as motion.
        let still = SceneSpec(name: "still", width: 320, height: 180, frameCount: 40, seed: 9, noiseSigma: 3)
        _ = try SyntheticClipWriter.write(still, to: directory.file("still.mp4"))
        var options = ClipAnalysisOptions(input: SourceLocation(directory.file("still.mp4")))
        options.framesOut = directory.file("still.jsonl")
        _ = try ClipAnalysis(options: options).run()
        let lines = try String(contentsOfFile: directory.file("still.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 40)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect((object["motion"] as? Double ?? 1) < 0.002, "\(line)")
        }
    }
}
