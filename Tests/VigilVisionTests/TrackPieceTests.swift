import Testing
import VigilVision

/// The tracker fed hand-made blobs: a piece of a car (its roof, cut off by the windscreen)
/// that has a track of its own inside the car's, as on highway-cctv at frame 496, where it
/// would count the car twice at a line.
@Suite("Pieces of one object with tracks of their own")
struct TrackPieceTests {
    static let width = 480, height = 360
    /// Pixels per second, at 25 frames a second.
    static let speed = 150.0

    static func blob(_ box: Box) -> Blob {
        Blob(box: box, area: Int(box.area * 0.8), centroid: Point(x: box.x + box.width / 2, y: box.y + box.height / 2))
    }

    /// Six cars 30×14 pass one after the other along row 100 (the size map learns what a car
    /// is there), then the test object arrives: `body` at `x` with `piece` (an offset box
    /// that moves with it) given first in each frame, so the piece's track is born before the
    /// body's and is not a fragment of it. Returns, for the test object's frames from the
    /// tenth on, the most confirmed tracks seen on it at once, and the frames with two or more.
    static func run(_ settings: Tracker.Settings, body: (width: Double, height: Double), piece: Box) -> (most: Int, doubled: Int, frames: Int) {
        var tracker = Tracker(settings: settings)
        var pts = 0.0
        for car in 0..<6 {
            for step in 0..<40 {
                let x = 20 + Double(step) * speed / 25 + Double(car % 2) * 3
                tracker.update(blobs: [blob(Box(x: x, y: 100, width: 30, height: 14))], pts: pts, frameWidth: width, frameHeight: height)
                pts += 0.04
            }
            // A gap with nothing in view: the car's track coasts out.
            for _ in 0..<30 {
                tracker.update(blobs: [], pts: pts, frameWidth: width, frameHeight: height)
                pts += 0.04
            }
        }
        var most = 0, doubled = 0, frames = 0
        for step in 0..<40 {
            let x = 20 + Double(step) * speed / 25
            let whole = Box(x: x, y: 100 + 14 - body.height, width: body.width, height: body.height)
            let part = Box(x: x + piece.x, y: 100 + 14 - body.height + piece.y, width: piece.width, height: piece.height)
            tracker.update(blobs: [blob(part), blob(whole)], pts: pts, frameWidth: width, frameHeight: height)
            pts += 0.04
            guard step >= 10 else { continue }
            let on = tracker.tracks.filter { $0.isConfirmed && whole.intersectionArea($0.box) > 0.5 * $0.box.area }
            most = max(most, on.count)
            if on.count >= 2 { doubled += 1 }
            frames += 1
        }
        return (most, doubled, frames)
    }

    /// Measured: one track from the tenth frame on; with folding off, two in all 30 frames.
    @Test("a piece inside a car-sized track's box loses its own track; with folding off it keeps it")
    func pieceOfACarFolds() {
        let roof = Box(x: 8, y: 0, width: 12, height: 5)
        let folded = Self.run(Tracker.Settings(), body: (30, 14), piece: roof)
        var off = Tracker.Settings()
        off.pieceFrames = 0
        let kept = Self.run(off, body: (30, 14), piece: roof)
        #expect(kept.frames == 30 && kept.doubled == kept.frames, "the piece had a confirmed track of its own: \(kept)")
        #expect(folded.most == 1 && folded.doubled == 0, "\(folded)")
    }

    /// Measured: two tracks in every frame either way.
    @Test("a car inside a lorry's box, twice the usual size there, keeps its own track")
    func carBesideALorryKeepsItsTrack() {
        let car = Box(x: 30, y: 14, width: 28, height: 13)
        let lorry = Self.run(Tracker.Settings(), body: (70, 30), piece: car)
        #expect(lorry.frames == 30 && lorry.most == 2 && lorry.doubled == lorry.frames, "\(lorry)")
    }
}
