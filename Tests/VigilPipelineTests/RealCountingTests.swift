import Foundation
import Testing
import VigilConfig
import VigilMedia
import VigilPipeline
import VigilTestSupport
import VigilVision

/// Vehicle counts on real footage against my own annotation, per carriageway.
///
/// highway-cctv.avi (../shared/samples), right-hand carriageway (traffic driving away
/// from the camera), counting line across both its lanes at y = 150 of 240 from
/// x = 115 to 262 (the hard shoulder with a cyclist is left out). Annotated by
/// stacking row 150 of every frame into a line-scan picture and reading off the streak
/// of each vehicle; listed is the frame where the vehicle's rear leaves the row (its
/// anchor crossing). 22 vehicles, one a lorry (430–478) that hides the cars beside it.
@Suite("Line counts on real footage")
struct RealCountingTests {
    /// The away carriageway (see above).
    static let annotatedCrossings = [32, 75, 86, 112, 170, 193, 268, 308, 358, 394, 427, 463, 478, 478, 500, 527, 530, 545, 567, 662, 690, 718]

    /// highway-cctv.avi, left-hand carriageway (traffic driving towards the camera and out
    /// at the left edge), counting line across both its lanes at x = 100 of 320 from y = 45
    /// to 110. Annotated from a line-scan picture of that column, each streak checked on
    /// the frames themselves where two vehicles could be one; listed is the frame where the
    /// vehicle's centre passes the column (its anchor crossing). 21 vehicles: three pairs
    /// drive side by side through the line (285/286, 313/320, 706/710) and two vans overlap
    /// one another all the way from the horizon (244, 258).
    static let annotatedTowards = [42, 74, 97, 173, 216, 244, 258, 285, 286, 313, 320, 346, 379, 459, 476, 592, 640, 689, 706, 710, 740]

    @Test("highway-cctv, carriageway away from the camera: vehicles counted against the annotation, with each background model",
          arguments: MotionModelKind.allCases)
    func highwayRightCarriageway(model: MotionModelKind) throws {
        let away = try Self.crossings(model).get().filter { $0["line"] as? String == "away" }
        // A count matches an annotated vehicle when it comes within 0.64 s (16 frames) after
        // its rear crossed, each annotated vehicle used once. The lag: the
        // mask trails a car driving away by about 15 px (codec artefacts on the road it
        // just left), so its anchor reaches the line 5–14 frames after the rear does.
        let (unmatched, phantoms) = Self.match(away, Self.annotatedCrossings, within: -2...16)
        // Bounds, stated: the count within ±2 of the 22 annotated vehicles, at most one count
        // without a vehicle (the lorry's wake can split). Consensus, the default, matched 21
        // (the dark car hidden beside the lorry at 463 is dated back to its crossing, 475,
        // from where it is measured again, 499) and is held to 21; adaptive matched 20 and is
        // held to 18 (80 %).
        #expect(abs(away.count - Self.annotatedCrossings.count) <= 2, "counted \(away.count) of \(Self.annotatedCrossings.count)")
        #expect(Self.annotatedCrossings.count - unmatched.count >= (model == .consensus ? 21 : 18), "missed \(unmatched)")
        #expect(phantoms.count <= 1, "counts with no annotated vehicle: \(phantoms)")
        // All moving away from the camera: side B (below) to side A (above).
        #expect(away.allSatisfy { $0["direction"] as? String == "b_to_a" }, "\(away.map { $0["direction"] ?? "-" })")
        let vehicles = away.filter { $0["class"] as? String == "vehicle" }.count
        #expect(vehicles * 10 >= away.count * 9, "\(away.map { $0["class"] ?? "-" })")
    }

    @Test("highway-cctv, carriageway towards the camera: vehicles counted against the annotation, with each background model",
          arguments: MotionModelKind.allCases)
    func highwayLeftCarriageway(model: MotionModelKind) throws {
        let towards = try Self.crossings(model).get().filter { $0["line"] as? String == "towards" }
        // The anchor is the centre here (the mask has no trail ahead of a car coming on), and
        // a count comes once it is the dead band past the line: 1–5 frames after the annotation.
        let (unmatched, phantoms) = Self.match(towards, Self.annotatedTowards, within: -3...8)
        // Bounds, stated: consensus, the default, matched 19 (three cars abreast at 689-710
        // are told apart since the size map learns per cell as well as per band of rows) and
        // is held to 18. Adaptive matched 17 and is held to 16: one of them is a car of those
        // three whose track comes out of their one blob past the line, measured there at 719
        // and dated back to 708, when it crossed. Each with at most one count without a vehicle.
        let least = model == .consensus ? 18 : 16
        #expect(Self.annotatedTowards.count - unmatched.count >= least, "missed \(unmatched)")
        #expect(phantoms.count <= 1, "counts with no annotated vehicle: \(phantoms)")
        // All coming towards the camera, leftwards across the line: side A to side B.
        #expect(towards.allSatisfy { $0["direction"] as? String == "a_to_b" }, "\(towards.map { $0["direction"] ?? "-" })")
        let vehicles = towards.filter { $0["class"] as? String == "vehicle" }.count
        // Adaptive's track that comes out of the three cars' blob is still `unknown` (13 of 17).
        #expect(vehicles * 100 >= towards.count * (model == .consensus ? 80 : 75), "\(towards.map { $0["class"] ?? "-" })")
    }

    /// Every line crossing of one analysis of the clip with both counting lines, run once
    /// per background model for both tests.
    nonisolated(unsafe) static let adaptiveCrossings = Result { try analyseHighway(model: .adaptive) }
    nonisolated(unsafe) static let consensusCrossings = Result { try analyseHighway(model: .consensus) }

    static func crossings(_ model: MotionModelKind) -> Result<[[String: Any]], any Error> {
        switch model {
        case .adaptive: adaptiveCrossings
        case .consensus: consensusCrossings
        }
    }

    static func analyseHighway(model: MotionModelKind) throws -> [[String: Any]] {
        let clip = RealFootageTests.repository.deletingLastPathComponent().appendingPathComponent("shared/samples/highway-cctv.avi").path
        try #require(FileManager.default.fileExists(atPath: clip), "missing \(clip): ../shared/samples beside the repository")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try ConfigLoader.parse(yaml: """
            cameras:
              - id: highway
                source: \(clip)
                analysis: { width: 320 }
                lines:
                  - id: away
                    from: [0.36, 0.625]
                    to: [0.82, 0.625]
                  - id: towards
                    from: [0.3125, 0.1875]
                    to: [0.3125, 0.458]
            """, file: "test.yaml")
        var options = ClipAnalysisOptions(input: SourceLocation(clip))
        options.camera = config.cameras[0]
        options.motionModel = model
        options.size = AnalysisSize(width: 320)
        options.eventsOut = directory.file("events.jsonl")
        _ = try ClipAnalysis(options: options).run()
        let events = try String(contentsOfFile: directory.file("events.jsonl"), encoding: .utf8).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        return events.filter { $0["type"] as? String == "line_crossing" }
    }

    /// Pairs counts with annotated frames (a count within `window` frames of an annotated
    /// crossing, each annotation used once); returns the annotations left and the counts
    /// that matched nothing. Counts are taken in the order of their dates, not of their
    /// emission (a track seen again after a gap is dated back to its crossing), each to the
    /// earliest annotation it can match: for windows of one length that pairs as many as
    /// any pairing can.
    static func match(_ crossings: [[String: Any]], _ annotated: [Int], within window: ClosedRange<Int>) -> (unmatched: [Int], phantoms: [Int]) {
        var unmatched = annotated.sorted()
        var phantoms: [Int] = []
        for frame in crossings.compactMap({ $0["frame"] as? Int }).sorted() {
            if let index = unmatched.firstIndex(where: { window.contains(frame - $0) }) { unmatched.remove(at: index) } else { phantoms.append(frame) }
        }
        return (unmatched, phantoms)
    }
}
