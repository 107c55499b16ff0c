import Testing
import VigilVision

/// The consensus model's majority where the perspective says objects are small
/// (`majorityPerRow`), on hand-made frames: a flat grey floor, then a dotted object whose
/// every 5×5 window holds exactly 10 changed pixels (a far, low-contrast car differs from the
/// road in only some of its pixels). 10 of 25 passes the small-object majority (9) and fails
/// the full one (13).
@Suite("Consensus motion: majority by object size")
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
}
