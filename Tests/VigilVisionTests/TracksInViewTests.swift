import Testing
import VigilVision

/// What `--tracks-out` reports: the confirmed tracks in view, fed hand-made blobs.
@Suite("Tracks in view")
struct TracksInViewTests {
    static let width = 320, height = 240

    static func blob(_ box: Box) -> Blob {
        Blob(box: box, area: Int(box.area * 0.8), centroid: Point(x: box.x + box.width / 2, y: box.y + box.height / 2))
    }

    /// A car 30×14 at 3 frames a second, 20 px a frame to the right.
    static func car(_ step: Int) -> Box { Box(x: 20 + Double(step) * 20, y: 100, width: 30, height: 14) }

    @Test("a confirmed track missed in one frame is still in view at its prediction; missed in two it is not")
    func oneMissedFrame() {
        var tracker = Tracker()
        var pts = 0.0
        for step in 0..<5 {
            tracker.update(blobs: [Self.blob(Self.car(step))], pts: pts, frameWidth: Self.width, frameHeight: Self.height)
            pts += 1.0 / 3
        }
        let id = tracker.tracksInView.first?.id
        #expect(tracker.tracksInView.count == 1 && tracker.tracks.first?.isConfirmed == true, "the car's track was confirmed")
        // Hidden for a frame (behind a lorry, say).
        tracker.update(blobs: [], pts: pts, frameWidth: Self.width, frameHeight: Self.height)
        pts += 1.0 / 3
        let hidden = tracker.tracksInView
        #expect(hidden.count == 1 && hidden.first?.id == id && hidden.first?.isCoasting == true)
        if let box = hidden.first?.box {
            #expect(abs(box.x - Self.car(5).x) < 8, "at its predicted place: \(box) against \(Self.car(5))")
        }
        var measuredOnly = tracker
        measuredOnly.settings.viewMisses = 0
        #expect(measuredOnly.tracksInView.isEmpty, "with `viewMisses` 0 only measured tracks are in view")
        tracker.update(blobs: [], pts: pts, frameWidth: Self.width, frameHeight: Self.height)
        #expect(tracker.tracks.contains { $0.id == id }, "still coasting")
        #expect(tracker.tracksInView.isEmpty, "two frames without a measurement: left out")
    }

    /// The frame and mask of a step: the car's box grey and foreground, and `cover` (if any)
    /// foreground as well (a lorry in front of it, say).
    static func picture(car: Box?, cover: Box? = nil) -> (image: GrayImage, mask: GrayImage) {
        var image = GrayImage(width: width, height: height), mask = GrayImage(width: width, height: height)
        for i in image.pixels.indices { image.pixels[i] = 120 }
        for (box, grey) in [(car, UInt8(40)), (cover, UInt8(200))] {
            guard let box else { continue }
            for y in Int(box.y)..<Int(box.y + box.height) {
                for x in Int(box.x)..<Int(box.x + box.width) {
                    image.pixels[y * width + x] = grey
                    mask.pixels[y * width + x] = 255
                }
            }
        }
        return (image, mask)
    }

    @Test("a missed track stays in view where the mask still holds foreground at its prediction, not on empty road")
    func missedTrackNeedsForeground() {
        var tracker = Tracker()
        var pts = 0.0
        for step in 0..<5 {
            let (image, mask) = Self.picture(car: Self.car(step))
            tracker.update(blobs: [Self.blob(Self.car(step))], pts: pts, frameWidth: Self.width, frameHeight: Self.height, image: image, mask: mask)
            pts += 1.0 / 3
        }
        #expect(tracker.tracksInView.count == 1 && tracker.tracks.first?.isConfirmed == true, "the car's track was confirmed")
        let id = tracker.tracks.first?.id
        // Hidden behind a lorry whose own blob is too big to be the car's: the mask is
        // foreground where the car is predicted.
        var hidden = tracker
        let lorry = Box(x: Self.car(5).x - 20, y: 90, width: 90, height: 40)
        let covered = Self.picture(car: nil, cover: lorry)
        hidden.update(blobs: [], pts: pts, frameWidth: Self.width, frameHeight: Self.height, image: covered.image, mask: covered.mask)
        #expect(hidden.tracks.first { $0.id == id }?.isCoasting == true, "the car's track coasts")
        #expect(hidden.tracksInView.map(\.id) == [id].compactMap { $0 }, "behind the lorry it is still in view")
        // The mask empty where it is predicted: the car is not where the track says.
        var gone = tracker
        let empty = Self.picture(car: nil)
        gone.update(blobs: [], pts: pts, frameWidth: Self.width, frameHeight: Self.height, image: empty.image, mask: empty.mask)
        #expect(gone.tracks.first { $0.id == id }?.isCoasting == true, "the car's track still exists, coasting")
        #expect(gone.tracksInView.isEmpty, "on empty road its predicted box is not reported")
    }

    @Test("a coasting box that holds the centre of a measured track is left out")
    func staleBoxLeftOut() {
        var tracker = Tracker()
        var pts = 0.0
        // A van 60×30 driving down 20 px a frame towards a car standing 10 px below it; then
        // the van's blob is gone, and its predicted box covers the car's centre.
        let car = Box(x: 117, y: 130, width: 26, height: 12)
        for step in 0..<5 {
            let van = Box(x: 100, y: 10 + Double(step) * 20, width: 60, height: 30)
            tracker.update(blobs: [Self.blob(van), Self.blob(car)], pts: pts, frameWidth: Self.width, frameHeight: Self.height)
            pts += 1.0 / 3
        }
        #expect(tracker.tracksInView.count == 2, "both confirmed: \(tracker.tracks.map { ($0.id, $0.box, $0.isConfirmed) })")
        tracker.update(blobs: [Self.blob(car)], pts: pts, frameWidth: Self.width, frameHeight: Self.height)
        let van = tracker.tracks.first { $0.box.width > 40 }
        #expect(van?.isCoasting == true && van?.misses == 1, "the van's track coasts its first frame: \(tracker.tracks)")
        if let van {
            let centre = Point(x: car.x + car.width / 2, y: car.y + car.height / 2)
            #expect(van.box.y <= centre.y && centre.y <= van.box.y + van.box.height, "its predicted box \(van.box) holds the car's centre")
        }
        #expect(tracker.tracksInView.count == 1 && !tracker.tracksInView.contains { $0.id == van?.id })
    }
}
