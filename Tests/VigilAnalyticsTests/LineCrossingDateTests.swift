import Testing
import VigilAnalytics
import VigilEvents
import VigilVision

/// When a `line_crossing` says the vehicle crossed, from hand-made blobs fed to the tracker
/// (no rendering, no motion model): a 40×24 px vehicle drives down at 100 px/s across a
/// horizontal line at y = 120 of 240, at 25 frames a second. Its anchor (bottom centre) is at
/// 34 + 100 t, so it comes clear of the dead band past the line (3.6 px, 0.015 of the height)
/// at t = 0.896 s, frame 22.4.
@Suite("Line crossing dates")
struct LineCrossingDateTests {
    static let width = 320, height = 240

    /// Runs 2 s; the vehicle has no blob in the frames of `hidden` (behind a lorry, say).
    /// Returns each crossing event with the frame it was emitted in, and the id of the
    /// vehicle's track in the last frame before it was hidden and in the last frame.
    static func run(hidden: Range<Int>) -> (crossings: [(event: Event, emitted: Int)], trackBefore: Int?, trackAfter: Int?) {
        let line = TrackRules.Line(definition: .init(id: "line", segment: LineSegment(from: Point(x: 0.1, y: 0.5), to: Point(x: 0.9, y: 0.5))),
                                   flowInterval: 100)
        var rules = TrackRules(camera: "road", lines: [line], zones: [])
        var tracker = Tracker()
        var crossings: [(event: Event, emitted: Int)] = []
        var trackBefore: Int?
        for frame in 0..<50 {
            let t = Double(frame) / 25
            let box = Box(x: 140, y: 10 + 100 * t, width: 40, height: 24)
            let blobs = hidden.contains(frame) ? [] : [Blob(box: box, area: Int(box.area), centroid: box.centre)]
            tracker.update(blobs: blobs, pts: t, frameWidth: width, frameHeight: height)
            if frame == hidden.lowerBound - 1 { trackBefore = tracker.tracks.first { $0.isConfirmed }?.id }
            for event in rules.observe(tracks: tracker.tracks, frame: frame, pts: t, frameWidth: width, frameHeight: height)
                where event.type == .lineCrossing {
                crossings.append((event, frame))
            }
        }
        return (crossings, trackBefore, tracker.tracks.first { $0.isConfirmed }?.id)
    }

    @Test("a vehicle measured in every frame is counted in the first frame clear of the band, dated to the moment between")
    func measuredThroughout() throws {
        let result = Self.run(hidden: 0..<0)
        try #require(result.crossings.count == 1, "\(result.crossings.map(\.emitted))")
        let crossing = result.crossings[0]
        // Anchor 2 px past the line at frame 22, 6 px at 23: counted at 23, dated 22.4.
        #expect(crossing.emitted == 23, "emitted at \(crossing.emitted)")
        #expect(crossing.event.frame == 22, "dated frame \(crossing.event.frame ?? -1)")
        #expect(abs((crossing.event.pts ?? 0) - 0.896) <= 0.04, "pts \(crossing.event.pts ?? -1)")
    }

    @Test("a vehicle hidden as it crosses is dated to when it crossed, not to when it is seen again")
    func hiddenAcrossTheLine() throws {
        // Hidden from frame 14 (anchor at y = 90) to frame 33 (y = 166): 0.8 s, its track coasting.
        let result = Self.run(hidden: 14..<34)
        // What the test watches happened: one track throughout, counted once, after the gap.
        let before = try #require(result.trackBefore, "no confirmed track before the gap")
        #expect(result.trackAfter == before, "the vehicle's track was not kept through the gap")
        try #require(result.crossings.count == 1, "\(result.crossings.map(\.emitted))")
        let crossing = result.crossings[0]
        #expect(crossing.event.track == before)
        #expect(crossing.emitted == 34, "emitted at \(crossing.emitted)")
        // Dated between the last position clear of the line before it (frame 13, 34 px short)
        // and the first after (frame 34, 50 px past), where the anchor's distance reaches the
        // band: 13 + 21 × 37.6 / 84 = frame 22.4. Counted when seen, it would say 34.
        #expect(crossing.event.frame == 22, "dated frame \(crossing.event.frame ?? -1)")
        #expect(abs((crossing.event.pts ?? 0) - 0.896) <= 0.04, "pts \(crossing.event.pts ?? -1)")
    }
}
