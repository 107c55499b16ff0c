import Foundation
import Testing
import VigilConfig
import VigilMedia
import VigilPipeline
import VigilTestSupport
import VigilVision

/// People tracked on real footage: PETS 2009 S2.L1 (vtest.avi, from Debian's opencv-doc),
/// frames 0-300, against my annotation of nine people (bench/data/vtest-keyframes.json: boxes
/// read every 10th frame, interpolated between; `null` marks a person out of view), with the
/// camera of bench/data/vtest.yaml (a perspective and `split_groups`). The same figures as
/// `bench/mot.py`'s row "perspective + split_groups" at IoU 0.5 (py-motmetrics there).
@Suite("People tracks on real footage")
struct PetsTrackingTests {
    static let repository = RealFootageTests.repository
    /// The far footpath, above this row of the source, is not annotated.
    static let horizon = 140.0

    /// Frame → annotated people (numbered by name, A = 1), interpolated as `bench/mot.py` does.
    static func truth() throws -> TrackScore.Boxes {
        let url = repository.appendingPathComponent("bench/data/vtest-keyframes.json")
        let spec = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let range = try #require(spec["frames"] as? [Int])
        let people = try #require(spec["people"] as? [String: [String: Any]])
        var truth: TrackScore.Boxes = [:]
        for frame in range[0]...range[1] { truth[frame] = [] }
        for (number, name) in people.keys.sorted().enumerated() {
            let keys = people[name]!
            // Spans of keyframes between those marked out of view.
            var spans: [[(frame: Int, box: [Double])]] = [[]]
            for frame in keys.keys.compactMap(Int.init).sorted() {
                if let box = keys[String(frame)] as? [Double] { spans[spans.count - 1].append((frame, box)) } else { spans.append([]) }
            }
            for span in spans where !span.isEmpty {
                if span.count == 1 { truth[span[0].frame]!.append((number + 1, Self.box(span[0].box))) }
                for (a, b) in zip(span, span.dropFirst()) {
                    for frame in a.frame..<(b.frame + (b.frame == span.last!.frame ? 1 : 0)) {
                        let t = Double(frame - a.frame) / Double(b.frame - a.frame)
                        let box = (0..<4).map { a.box[$0] + (b.box[$0] - a.box[$0]) * t }
                        truth[frame]!.append((number + 1, Self.box(box)))
                    }
                }
            }
        }
        return truth
    }

    static func box(_ values: [Double]) -> Box { Box(x: values[0], y: values[1], width: values[2], height: values[3]) }

    /// `vigil analyze --config bench/data/vtest.yaml --camera plaza --tracks-out`, read back.
    static func tracks() throws -> TrackScore.Boxes {
        let config = try ConfigLoader.load(path: repository.appendingPathComponent("bench/data/vtest.yaml").path)
        let camera = try #require(config.cameras.first)
        try #require(FileManager.default.fileExists(atPath: camera.source), "missing \(camera.source): SampleVideos/fetch-real.sh fetches it")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var options = ClipAnalysisOptions(input: SourceLocation(camera.source))
        options.camera = camera
        options.size = AnalysisSize(width: camera.analysis.width)
        options.classifier = try ModelFiles.classifier(at: repository.appendingPathComponent("Models/classes.json").path)
        options.tracksOut = directory.file("tracks.txt")
        _ = try ClipAnalysis(options: options).run()
        var tracks: TrackScore.Boxes = [:]
        for line in try String(contentsOfFile: directory.file("tracks.txt"), encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: ",").map(String.init)
            guard fields.count >= 6, let frame = Int(fields[0]), let id = Int(fields[1]) else { continue }
            let box = Self.box(fields[2...5].compactMap(Double.init))
            if box.y + box.height >= horizon { tracks[frame - 1, default: []].append((id, box)) }
        }
        return tracks
    }

    @Test("PETS 2009, frames 0-300 with the camera's perspective: MOTA and IDF1 at least the issue's 0.5 and 0.6, few identity switches")
    func pets() throws {
        let truth = try Self.truth()
        #expect(truth.count == 301 && truth.values.reduce(0) { $0 + $1.count } == 1870)
        let score = TrackScore(truth: truth, tracks: try Self.tracks())
        // Measured 0.709 and 0.717 with 8 switches (`bench/mot.py`, py-motmetrics, the same
        // tracks), since groups are cut at the mask's emptiest columns. Held at the issue's
        // targets (MOTA 0.5, IDF1 0.6) and under half the 27 switches of equal cuts: the
        // figures move by several hundredths with small changes in the tracker (BENCHMARKS.md).
        #expect(score.mota >= 0.5, "MOTA \(score.mota): \(score.misses) misses, \(score.falsePositives) false, \(score.switches) switches")
        #expect(score.idf1 >= 0.6, "IDF1 \(score.idf1)")
        #expect(score.switches <= 13, "\(score.switches) identity switches")
        // The tracks were there to be scored: most of the people were found most of the time.
        #expect(score.misses * 3 < score.truthBoxes, "\(score.misses) of \(score.truthBoxes) missed")
    }

    @Test("the scoring itself: a perfect run, a swap, a miss and a false track, each counted as py-motmetrics counts them")
    func scoring() {
        let a = Box(x: 0, y: 0, width: 10, height: 20), b = Box(x: 30, y: 0, width: 10, height: 20)
        var truth: TrackScore.Boxes = [:], tracks: TrackScore.Boxes = [:]
        for frame in 0..<10 {
            truth[frame] = [(1, a), (2, b)]
            // Tracks 7 and 8 follow people 1 and 2, then swap at frame 5; frame 9 misses person 2 and
            // has a false track far away.
            let swapped = frame >= 5
            tracks[frame] = frame == 9 ? [(8, a), (9, Box(x: 100, y: 100, width: 5, height: 5))]
                : [(swapped ? 8 : 7, a), (swapped ? 7 : 8, b)]
        }
        let score = TrackScore(truth: truth, tracks: tracks)
        #expect(score.truthBoxes == 20 && score.misses == 1 && score.falsePositives == 1 && score.switches == 2)
        #expect(abs(score.mota - (1 - 4.0 / 20)) < 1e-9)
        // Identities: 1 with 7 (5 frames) and 2 with 8 (5) or 1 with 8 (5) and 2 with 7 (4): 10 of
        // 20 annotated and 20 tracked boxes.
        #expect(abs(score.idf1 - 2 * 10.0 / 40) < 1e-9, "\(score.idf1)")
        let perfect = TrackScore(truth: truth, tracks: truth)
        #expect(perfect.mota == 1 && perfect.idf1 == 1 && perfect.switches == 0)
    }
}
