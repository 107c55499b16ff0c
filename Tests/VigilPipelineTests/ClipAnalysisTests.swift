import Foundation
import Testing
import VigilConfig
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

    @Test("frames-out stays valid JSON whatever a zone id holds (quotes, backslashes, non-ASCII)")
    func framesOutZoneIds() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, frames: 10)
        let yaml = #"""
        cameras:
          - id: cam
            source: clip.mp4
            zones:
              - { id: 'gate "A"', polygon: [[0,0],[0.5,0],[0.5,1]] }
              - { id: 'back\slash', polygon: [[0.5,0],[1,0],[1,1]] }
              - { id: 'cổng', polygon: [[0,0],[1,1],[0,1]] }
        """#
        let configuration = try ConfigLoader.parse(yaml: yaml)
        var options = ClipAnalysisOptions(input: SourceLocation(clip.path))
        options.camera = configuration.cameras[0]
        options.framesOut = directory.file("frames.jsonl")
        _ = try ClipAnalysis(options: options).run()
        let lines = try String(contentsOfFile: directory.file("frames.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 10)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            let zones = try #require(object["zones"] as? [String: Double])
            #expect(Set(zones.keys) == ["gate \"A\"", "back\\slash", "cổng"])
        }
    }

    @Test("frames-out counts the objects by class in the frame and in each zone")
    func framesOutObjects() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Two vehicles that never meet, entering after the warm-up: one drives into the left
        // half, one into the right.
        let left = SceneObject(id: 1, kind: .vehicle, width: 0.12, height: 0.08, intensity: 60,
                               path: [.init(frame: 0, x: -0.1, y: 0.3), .init(frame: 25, x: -0.1, y: 0.3), .init(frame: 74, x: 0.42, y: 0.3)])
        let right = SceneObject(id: 2, kind: .vehicle, width: 0.12, height: 0.08, intensity: -60,
                                path: [.init(frame: 0, x: 1.1, y: 0.7), .init(frame: 25, x: 1.1, y: 0.7), .init(frame: 74, x: 0.58, y: 0.7)])
        let spec = SceneSpec(name: "two", width: 320, height: 180, frameCount: 75, seed: 5, objects: [left, right])
        let clip = directory.file("two.mp4")
        _ = try SyntheticClipWriter.write(spec, to: clip, truthDirectory: nil)
        let configuration = try ConfigLoader.parse(yaml: """
            cameras:
              - id: cam
                source: two.mp4
                zones:
                  - { id: left, polygon: [[0,0],[0.5,0],[0.5,1],[0,1]] }
                  - { id: right, polygon: [[0.5,0],[1,0],[1,1],[0.5,1]] }
            """)
        var options = ClipAnalysisOptions(input: SourceLocation(clip))
        options.camera = configuration.cameras[0]
        options.framesOut = directory.file("frames.jsonl")
        _ = try ClipAnalysis(options: options).run()
        let lines = try String(contentsOfFile: directory.file("frames.jsonl"), encoding: .utf8).split(separator: "\n")
            .map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(lines.count == 75)
        // Every line has the counts with all three classes; the first frame has no confirmed track yet.
        let first = try #require(lines.first?["objects"] as? [String: Int])
        #expect(first == ["person": 0, "vehicle": 0, "unknown": 0])
        // Once both are wholly in view (frame 40) and their tracks confirmed and classed (from
        // frame 50 on), the frame holds two vehicles and each zone one: in at least 90 % of those frames.
        var matching = 0, checked = 0
        for line in lines[50...] {
            checked += 1
            let frame = try #require(line["objects"] as? [String: Int])
            let zones = try #require(line["zone_objects"] as? [String: [String: Int]])
            if frame["vehicle"] == 2 && frame["person"] == 0 && zones["left"]?["vehicle"] == 1 && zones["right"]?["vehicle"] == 1 { matching += 1 }
        }
        #expect(matching * 10 >= checked * 9, "\(matching) of \(checked) frames counted two vehicles, one per zone: \(lines[50...].map { ($0["objects"] as? [String: Int] ?? [:]).description + ($0["zone_objects"].map { "\($0)" } ?? "") })")
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

@Suite("Motion events from clips")
struct MotionEventTests {
    func analyse(_ preset: ScenePreset, in directory: TemporaryDirectory, frames: Int = 100) throws -> (ClipReport, [[String: Any]], SceneSpec) {
        let clip = try makeClip(in: directory, name: "\(preset.rawValue).mp4", preset: preset, width: 240, height: 136, frames: frames)
        var options = ClipAnalysisOptions(input: SourceLocation(clip.path))
        options.eventsOut = directory.file("\(preset.rawValue).events.jsonl")
        let report = try ClipAnalysis(options: options).run()
        let text = (try? String(contentsOfFile: options.eventsOut!, encoding: .utf8)) ?? ""
        let events = try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        return (report, events, clip.spec)
    }

    @Test("light changes, sway, shake and H.264 noise raise no motion event", arguments: [ScenePreset.lights, .sway])
    func noFalseEvents(preset: ScenePreset) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (report, events, _) = try analyse(preset, in: directory, frames: 150)
        #expect(events.isEmpty, "\(events)")
        #expect(report.events.isEmpty)
    }

    @Test("moving vehicles start a motion event within half a second of entering the picture")
    func eventTiming() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (_, events, spec) = try analyse(.traffic, in: directory)
        let starts = events.filter { $0["state"] as? String == "start" }
        #expect(starts.count == 1, "\(events)")
        // The first frame (after warm-up) in which a vehicle is visible.
        let renderer = SceneRenderer(spec: spec)
        let firstVisible = (20..<spec.frameCount).first { !renderer.render(frame: $0).truth.objects.isEmpty } ?? 0
        let startPTS = starts.first?["pts"] as? Double ?? -1
        #expect(abs(startPTS - Double(firstVisible) / 25) <= 0.5, "start \(startPTS) s, first visible frame \(firstVisible)")
        #expect(events.last?["state"] as? String == "end")
    }
}
