import Testing
import VigilVision

/// `GroupSplitting` on hand-made masks: where the cuts fall and what each piece measures.
@Suite("Group splitting")
struct GroupSplittingTests {
    static let size = 200
    /// People 40 px tall everywhere, so a person is 16 px wide.
    static let perspective = PerspectiveScale(nearY: 1, nearPersonHeight: 0.2, farY: 0, farPersonHeight: 0.2)

    /// A mask with the given rectangles filled (x, y, width, height) and the one blob around them all.
    static func scene(_ rectangles: [(Int, Int, Int, Int)]) -> (mask: GrayImage, blob: Blob) {
        var mask = GrayImage(width: size, height: size)
        var minX = Int.max, minY = Int.max, maxX = 0, maxY = 0, area = 0
        for (x0, y0, w, h) in rectangles {
            for y in y0..<(y0 + h) { for x in x0..<(x0 + w) { mask.pixels[y * size + x] = 255 } }
            minX = min(minX, x0); minY = min(minY, y0); maxX = max(maxX, x0 + w); maxY = max(maxY, y0 + h)
            area += w * h
        }
        let box = Box(x: Double(minX), y: Double(minY), width: Double(maxX - minX), height: Double(maxY - minY))
        return (mask, Blob(box: box, area: area, centroid: Point(x: box.x + box.width / 2, y: box.y + box.height / 2)))
    }

    @Test("two people of unequal width in one blob: the cut falls in the gap between them, not at the blob's middle, and each piece is its own person's box")
    func cutAtTheGap() throws {
        // A 12 px wide and 36 tall, a 2 px gap, B 18 px wide (a bag) and 40 tall: 32 px, two person widths.
        let (mask, blob) = Self.scene([(50, 84, 12, 36), (64, 80, 18, 40)])
        var splitting = GroupSplitting()
        let pieces = splitting.split([blob], frameHeight: Self.size, perspective: Self.perspective, mask: mask)
        try #require(pieces.count == 2, "\(pieces)")
        let (a, b) = (pieces[0], pieces[1])
        // The equal cut would be at x = 66, inside B; the gap is at columns 62-63.
        #expect(a.box.x == 50 && a.box.x + a.box.width <= 64 && a.box.x + a.box.width >= 62, "\(a.box)")
        #expect(b.box.x >= 62 && b.box.x <= 64 && b.box.x + b.box.width == 82, "\(b.box)")
        #expect(a.area == 12 * 36 && b.area == 18 * 40)
        #expect(a.box.y == 84 && a.box.height == 36 && b.box.y == 80 && b.box.height == 40)
        #expect(a.centroid.x == 55.5 && b.centroid.x == 72.5)
    }

    @Test("without a mask the blob is cut into equal pieces; a blob one person wide is never cut")
    func equalPiecesAndSingles() throws {
        let (mask, blob) = Self.scene([(50, 84, 12, 36), (64, 80, 18, 40)])
        var splitting = GroupSplitting()
        let equal = splitting.split([blob], frameHeight: Self.size, perspective: Self.perspective)
        #expect(equal.map(\.box.x) == [50, 66] && equal.map(\.box.width) == [16, 16], "\(equal)")
        let (_, single) = Self.scene([(100, 80, 16, 40)])
        let kept = splitting.split([single], frameHeight: Self.size, perspective: Self.perspective, mask: mask)
        #expect(kept == [single])
    }

    @Test("three people touching, no gap: each cut moves to the thinnest column near its equal position")
    func threeTouching() throws {
        // Bodies 20, 13 and 13 px wide, 40 tall; between them one column where only the legs
        // (the lowest 16 rows) are foreground. Equal cuts would fall at x = 76 and 92.
        let (mask, blob) = Self.scene([(60, 80, 20, 40), (80, 104, 1, 16), (81, 80, 13, 40), (94, 104, 1, 16), (95, 80, 13, 40)])
        var splitting = GroupSplitting()
        let pieces = splitting.split([blob], frameHeight: Self.size, perspective: Self.perspective, mask: mask)
        try #require(pieces.count == 3, "\(pieces)")
        #expect(pieces.map(\.box.x) == [60, 80, 94] && pieces.map(\.box.width) == [20, 14, 14], "\(pieces)")
        #expect(pieces.map(\.area).reduce(0, +) == blob.area)
    }
}
