import Testing
import VigilVision

/// The consensus model where the perspective says objects are small, on hand-made frames of
/// a flat grey floor:
/// - its majority (`majorityPerRow`), with a dotted object whose every 5×5 window holds exactly
///   10 changed pixels (a far, low-contrast car differs from the road in only some of its
///   pixels): 10 of 25 passes the small-object majority (9) and fails the full one (13);
/// - its hysteresis seeds (`seedArea`), with a 7×7 bright core in a 3-pixel rim only 8 levels
///   brighter (weak, as in `ConsensusHysteresisTests`): a blob of under 40 pixels seeds growth
///   only where a person's area makes it a large part of an object.
@Suite("Consensus motion: majority and seeds by object size")
struct ConsensusSmallObjectTests {
    static let width = 160, height = 120
    /// People 6 px tall at the top, 48 px at the bottom.
    static let perspective = PerspectiveScale(nearY: 0.9, nearPersonHeight: 0.4, farY: 0.1, farPersonHeight: 0.05)
    /// Rows where people are about 6-12 px tall, and rows where they are about 39-44 px.
    static let farRows = 12..<26, nearRows = 86..<100
    static let columns = 60..<74

    static func frame(objectRows: Range<Int>?) -> GrayImage {
        var image = GrayImage(width: width, height: height, fill: 100)
        guard let objectRows else { return image }
        for y in objectRows {
            for x in columns where (x + 2 * y) % 5 < 2 { image.pixels[y * width + x] = 160 }
        }
        return image
    }

    /// Share of the object's box marked on the frame it appears, after 30 frames of floor.
    static func marked(rows: Range<Int>, perspective: PerspectiveScale?) -> Double {
        var settings = MotionSettings()
        settings.perspective = perspective
        var model = SampleConsensusMotion(settings: settings)
        for _ in 0..<30 { _ = model.analyze(frame(objectRows: nil)) }
        _ = model.analyze(frame(objectRows: rows))
        guard let mask = model.lastMask else { return 0 }
        var on = 0
        for y in rows { for x in columns where mask.pixels[y * width + x] != 0 { on += 1 } }
        return Double(on) / Double(rows.count * columns.count)
    }

    @Test("rows follow the perspective's person height: fewer where people are small, the full majority from 20 px")
    func rows() {
        let tuning = SampleConsensusMotion.Tuning()
        let rows = SampleConsensusMotion.majorityPerRow(height: Self.height, perspective: Self.perspective, tuning: tuning)
        #expect(rows.count == Self.height)
        #expect(rows[0] == tuning.smallObjectMajority, "top row \(rows[0])")
        #expect(rows[Self.height - 1] == tuning.majority, "bottom row \(rows[Self.height - 1])")
        #expect(zip(rows, rows.dropFirst()).allSatisfy { $0 <= $1 }, "never more further away: \(rows)")
        // People are 12.8 px tall at row 27 ((0.05 + 0.35 × (27.5/120 − 0.1)/0.8) × 120), which
        // rounds to 9, and 13.2 px at row 28 (10); 19.3 px at row 41 (12), 19.8 px at row 42 (13).
        #expect(rows[27] == 9 && rows[28] == 10, "\(rows[20...30])")
        #expect(rows[41] == 12 && rows[42] == 13, "\(rows[38...46])")
        let flat = SampleConsensusMotion.majorityPerRow(height: Self.height, perspective: nil, tuning: tuning)
        #expect(flat == [Int](repeating: tuning.majority, count: Self.height), "no perspective: nothing says objects are small")
    }

    @Test("a sparse object where people are small is kept; the same object without a perspective is not")
    func farObject() {
        let kept = Self.marked(rows: Self.farRows, perspective: Self.perspective)
        let plain = Self.marked(rows: Self.farRows, perspective: nil)
        #expect(kept > 0.5, "with the perspective \(kept)")
        #expect(plain < 0.05, "without \(plain)")
    }

    @Test("the same sparse object where people are big is still noise")
    func nearObject() {
        let near = Self.marked(rows: Self.nearRows, perspective: Self.perspective)
        #expect(near < 0.05, "near \(near)")
        // The model and the frame do mark that object where the majority is lower.
        #expect(Self.marked(rows: Self.farRows, perspective: Self.perspective) > 0.5)
    }

    @Test("a seed's area follows a person's area at its foot, between 10 pixels and growFromArea")
    func seedAreas() {
        let tuning = SampleConsensusMotion.Tuning()
        func area(footRow: Double, _ perspective: PerspectiveScale?) -> Int {
            let blob = Blob(box: Box(x: 60, y: footRow - 5, width: 5, height: 5), area: 25, centroid: Point(x: 62, y: footRow - 2))
            return SampleConsensusMotion.seedArea(for: blob, perspective: perspective, tuning: tuning, width: Self.width, height: Self.height)
        }
        #expect(area(footRow: 19, Self.perspective) == tuning.smallestSeed, "people 9.1 px tall: a person 29 px, 0.3 of it 9")
        // Feet at row 40 (a third down): people 18.25 px tall, 0.3 × 0.35 × 18.25² = 34.97, rounded up.
        #expect(area(footRow: 40, Self.perspective) == 35)
        #expect(area(footRow: 100, Self.perspective) == tuning.growFromArea, "people 44.5 px tall")
        #expect(area(footRow: 19, nil) == tuning.growFromArea, "no perspective: nothing says objects are small")
    }

    /// Share of the rim (without the core) marked when a 7×7 core and its weak rim appear at
    /// rows 13-19 (people about 7-9 px tall), after 30 frames of floor; and of the core. The
    /// full majority leaves about 33 of the core's 49 pixels: under `growFromArea`.
    static func rimMarked(perspective: PerspectiveScale?) -> (core: Double, rim: Double) {
        var settings = MotionSettings()
        settings.perspective = perspective
        // The full majority on every row, so the core is the same blob with and without the
        // perspective, and only the seed's area differs.
        var tuning = SampleConsensusMotion.Tuning()
        tuning.smallObjectMajority = tuning.majority
        var model = SampleConsensusMotion(settings: settings, tuning: tuning)
        let floor = GrayImage(width: width, height: height, fill: 100)
        for _ in 0..<30 { _ = model.analyze(floor) }
        let core = (x: 60..<67, y: 13..<20), rim = (x: 57..<70, y: 10..<23)
        var image = floor
        for y in rim.y { for x in rim.x { image.pixels[y * width + x] = 108 } }
        for y in core.y { for x in core.x { image.pixels[y * width + x] = 160 } }
        _ = model.analyze(image)
        guard let mask = model.lastMask else { return (0, 0) }
        var coreOn = 0, rimOn = 0, rimTotal = 0
        for y in rim.y {
            for x in rim.x {
                let on = mask.pixels[y * width + x] != 0
                if core.x.contains(x) && core.y.contains(y) { coreOn += on ? 1 : 0 } else { rimTotal += 1; rimOn += on ? 1 : 0 }
            }
        }
        return (Double(coreOn) / 49, Double(rimOn) / Double(rimTotal))
    }

    @Test("a far object of 49 pixels grows into its weak rim with the perspective, and not without")
    func smallSeedGrows() {
        let with = Self.rimMarked(perspective: Self.perspective)
        let without = Self.rimMarked(perspective: nil)
        // The core is found either way: what differs is whether it seeds growth.
        #expect(with.core > 0.6 && without.core > 0.6, "core \(with.core), \(without.core); rim \(with.rim), \(without.rim)")
        #expect(with.rim > 0.8, "rim with the perspective \(with.rim)")
        #expect(without.rim < 0.2, "rim without \(without.rim)")
    }
}
