import Testing
import VigilVision

/// With a perspective, two blobs that are each a whole object (at least three-fifths of the
/// usual object's width and height where they lie) are never joined into one, in the
/// grouping or as a fragment of a track: one car close behind another in a jam (m30-hd).
/// Without a perspective nothing changes: on highway-cctv at 320×240 the pieces of one near
/// car passed for two whole ones.
@Suite("Whole objects kept apart")
struct WholeObjectsApartTests {
    static let width = 320, height = 240

    static func blob(_ x: Double, _ width: Double, y: Double = 100, height: Double = 14) -> Blob {
        Blob(box: Box(x: x, y: y, width: width, height: height), area: Int(width * height * 0.8),
             centroid: Point(x: x + width / 2, y: y + height / 2))
    }

    /// A size map that has seen cars 30×14 along row 100.
    static func cars() -> ObjectSizeMap {
        var map = ObjectSizeMap()
        for _ in 0..<50 {
            var cell = -1
            map.observe(Box(x: 10, y: 100, width: 30, height: 14), lastCell: &cell, frameWidth: width, frameHeight: height)
        }
        return map
    }

    /// A person 0.25 of the picture tall everywhere: the grouping's gap is 12 px.
    static let perspective = PerspectiveScale(nearY: 0.9, nearPersonHeight: 0.25, farY: 0.1, farPersonHeight: 0.25)

    @Test("grouping: two short cars 2 px apart stay two with a perspective; their join would be within 1.6 cars")
    func groupingKeepsWholeCarsApart() {
        let map = Self.cars()
        #expect(map.holdsWhole(Box(x: 50, y: 100, width: 20, height: 14), frameWidth: Self.width, frameHeight: Self.height))
        #expect(!map.holdsWhole(Box(x: 50, y: 100, width: 12, height: 14), frameWidth: Self.width, frameHeight: Self.height))
        // 20 + 2 + 20 = 42 px: under 1.6 × 30, so the usual size alone would let them join.
        let pair = [Self.blob(50, 20), Self.blob(72, 20)]
        var grouping = BlobGrouping()
        #expect(grouping.group(pair, frameWidth: Self.width, frameHeight: Self.height, perspective: Self.perspective, sizes: map).count == 2)
        #expect(grouping.group(pair, frameWidth: Self.width, frameHeight: Self.height, perspective: nil, sizes: map).count == 1,
                "without a perspective the grouping is as before")
        #expect(grouping.group(pair, frameWidth: Self.width, frameHeight: Self.height, perspective: Self.perspective).count == 1,
                "without a learned size nothing is known to be whole")
    }

    @Test("grouping: a car's two pieces (bonnet and boot, each under three-fifths of a car) still join with a perspective")
    func groupingStillJoinsPieces() {
        let map = Self.cars()
        let pieces = [Self.blob(50, 12), Self.blob(66, 14)]
        var grouping = BlobGrouping()
        let grouped = grouping.group(pieces, frameWidth: Self.width, frameHeight: Self.height, perspective: Self.perspective, sizes: map)
        #expect(grouped.count == 1)
        #expect(grouped.first.map { $0.box.width == 30 } == true, "\(grouped.map(\.box))")
    }

    /// Six cars 30×14 drive along row 100 (the tracker learns the size), then two shorter
    /// cars (24 px) close behind each other arrive as one blob for `together` frames and come
    /// apart 12 px from each other for 20 frames: beyond the grouping's gap with this
    /// perspective (0.2 of a person 0.1 of 360 rows tall: 7.2 px) and without one (3 % of
    /// the rows, 10.8 px), but inside the pair's track box. Returns in how many of those 20
    /// frames each car had a confirmed track of its own.
    static func framesParted(perspective: PerspectiveScale?) -> Int {
        let width = 480, height = 360, speed = 6.0
        var tracker = Tracker()
        tracker.perspective = perspective
        var pts = 0.0
        for _ in 0..<6 {
            for step in 0..<40 {
                tracker.update(blobs: [blob(20 + Double(step) * speed, 30)], pts: pts, frameWidth: width, frameHeight: height)
                pts += 0.04
            }
            for _ in 0..<30 {
                tracker.update(blobs: [], pts: pts, frameWidth: width, frameHeight: height)
                pts += 0.04
            }
        }
        // Briefly: the size map learns from the pair's track too, and its median creeps up.
        let together = 5
        var parted = 0
        for step in 0..<(together + 20) {
            let x = 20 + Double(step) * speed
            let back = Box(x: x, y: 100, width: 24, height: 14), front = Box(x: x + 36, y: 100, width: 24, height: 14)
            let blobs = step < together ? [blob(x, 60)] : [blob(back.x, 24), blob(front.x, 24)]
            tracker.update(blobs: blobs, pts: pts, frameWidth: width, frameHeight: height)
            pts += 0.04
            guard step >= together else { continue }
            func own(_ car: Box) -> Bool {
                tracker.tracks.contains { $0.isConfirmed && $0.box.intersectionArea(car) > 0.5 * car.area && $0.box.width < 30 }
            }
            if own(front) && own(back) { parted += 1 }
        }
        return parted
    }

    @Test("tracker: two cars that came in as one blob part into a track each sooner with a perspective")
    func pairGetsTwoTracks() {
        let withPerspective = Self.framesParted(perspective: PerspectiveScale(nearY: 0.9, nearPersonHeight: 0.1, farY: 0.1, farPersonHeight: 0.1))
        // Without one the second car is taken as a fragment of the pair's track until the
        // pair's remembered extent fades.
        let without = Self.framesParted(perspective: nil)
        #expect(withPerspective >= 15, "\(withPerspective) of 20 frames")
        #expect(without < withPerspective, "\(without) against \(withPerspective)")
    }
}
