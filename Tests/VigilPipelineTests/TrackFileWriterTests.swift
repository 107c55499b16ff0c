import Foundation
import Testing
import VigilTestSupport
import VigilVision
@testable import VigilPipeline

/// `--tracks-out` fed a tracker driven by hand-made blobs: a confirmed track's sightings from
/// before its confirmation are written once it is confirmed; a track never confirmed writes nothing.
@Suite("Track file")
struct TrackFileWriterTests {
    static func blob(_ box: Box) -> Blob {
        Blob(box: box, area: Int(box.area * 0.8), centroid: Point(x: box.x + box.width / 2, y: box.y + box.height / 2))
    }

    /// A person 20×40 walking 3 px a frame to the right at 25 frames a second, mid-picture.
    static func walker(_ frame: Int) -> Box { Box(x: 100 + Double(frame) * 3, y: 80, width: 20, height: 40) }

    @Test("a track's frames before its confirmation are written once it is confirmed; a speck seen twice is never written")
    func earlierSightings() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try TrackFileWriter(path: directory.file("tracks.txt"))
        var tracker = Tracker()
        var speckID: Int? = nil
        var confirmedAt: Int? = nil
        for frame in 0..<6 {
            // A speck of sway far from the walker in the first two frames only.
            let speck = frame < 2 ? [Self.blob(Box(x: 250, y: 200, width: 12, height: 10))] : []
            tracker.update(blobs: [Self.blob(Self.walker(frame))] + speck, pts: Double(frame) * 0.04, frameWidth: 320, frameHeight: 240)
            if frame == 1 { speckID = tracker.tracks.first { $0.box.x > 200 }?.id }
            if confirmedAt == nil && tracker.tracks.contains(where: { $0.isConfirmed }) { confirmedAt = frame }
            try writer.write(frame: frame, tracker: tracker, scaleX: 2, scaleY: 2)
        }
        try writer.close()
        let rows = try String(contentsOfFile: directory.file("tracks.txt"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",").compactMap { Double($0) } }
        let speck = try #require(speckID, "the speck had a track: \(tracker.tracks)")
        let confirmed = try #require(confirmedAt, "the walker's track was confirmed")
        #expect(confirmed == 2, "confirmed on its third sighting, so two came before it")
        #expect(!rows.contains { Int($0[1]) == speck }, "the speck's track was never confirmed and is not written")
        let walker = rows.filter { Int($0[1]) != speck }
        #expect(Set(walker.map { Int($0[1]) }).count == 1)
        // The two earlier sightings are written with the frame that confirmed the track, before it.
        #expect(walker.map { Int($0[0]) } == Array(1...6), "every frame of the walker, 1-based, once: \(walker)")
        for row in walker {
            let box = Self.walker(Int(row[0]) - 1)
            #expect(abs(row[2] - 2 * box.x) <= 4 && abs(row[4] - 2 * box.width) <= 4 && abs(row[5] - 2 * box.height) <= 4, "\(row) against \(box)")
        }
    }
}
