import Testing
import VigilVision

/// The learned object size per band of rows and per cell of a band, fed hand-made boxes.
@Suite("Object size map")
struct ObjectSizeMapTests {
    static let width = 320
    static let height = 240

    /// One object, seen once.
    static func observeOne(_ box: Box, in map: inout ObjectSizeMap) {
        var cell = -1
        map.observe(box, lastCell: &cell, frameWidth: width, frameHeight: height)
    }

    @Test("answers the median size of a band once it has seen enough objects, undisturbed by a minority of pairs")
    func medianOfABand() {
        var map = ObjectSizeMap()
        for index in 0..<11 { Self.observeOne(Box(x: Double(index), y: 100, width: 30, height: 14), in: &map) }
        #expect(map.size(at: Point(x: 25, y: 107), frameWidth: Self.width, frameHeight: Self.height) == nil, "eleven objects are not enough")
        // One box in five is two cars in one (twice as long); the cars are 28-32 px long.
        for index in 0..<200 {
            let long = index % 5 == 4
            let width = long ? 62.0 : 28.0 + Double(index % 3) * 2
            Self.observeOne(Box(x: 10, y: 100, width: width, height: 14), in: &map)
        }
        let size = map.size(at: Point(x: 25, y: 107), frameWidth: Self.width, frameHeight: Self.height)
        #expect(size != nil)
        if let size {
            #expect(abs(size.width - 30) <= 3, "median width \(size.width)")
            #expect(abs(size.height - 14) <= 1.5, "median height \(size.height)")
        }
        #expect(map.size(at: Point(x: 25, y: 30), frameWidth: Self.width, frameHeight: Self.height) == nil, "another band has seen nothing")
    }

    @Test("a band whose objects differ widely in size (cars and vans, near and far) gives no size")
    func mixedSizesGiveNone() {
        var map = ObjectSizeMap()
        for index in 0..<200 {
            let width = index % 2 == 0 ? 16.0 : 40.0
            Self.observeOne(Box(x: 10, y: 100, width: width, height: width / 2), in: &map)
        }
        #expect(map.size(at: Point(x: 25, y: 107), frameWidth: Self.width, frameHeight: Self.height) == nil)
        map.reset()
        for _ in 0..<20 { Self.observeOne(Box(x: 10, y: 100, width: 30, height: 14), in: &map) }
        #expect(map.size(at: Point(x: 25, y: 107), frameWidth: Self.width, frameHeight: Self.height) != nil, "after a reset the band learns anew")
    }

    @Test("grouping keeps two cars one behind the other apart, but still joins a car's two pieces")
    func groupingBySize() {
        var map = ObjectSizeMap()
        for _ in 0..<50 { Self.observeOne(Box(x: 10, y: 100, width: 30, height: 14), in: &map) }
        func blob(_ x: Double, _ width: Double) -> Blob {
            Blob(box: Box(x: x, y: 100, width: width, height: 14), area: Int(width * 14 * 0.8), centroid: Point(x: x + width / 2, y: 107))
        }
        // Two cars 3 px apart: within the fixed gap (3 % of 240 rows is 7 px).
        let cars = [blob(50, 30), blob(83, 30)]
        var grouping = BlobGrouping()
        #expect(grouping.group(cars, frameWidth: 320, frameHeight: Self.height, perspective: nil).count == 1,
                "without a learned size the fixed gap joins them")
        #expect(grouping.group(cars, frameWidth: 320, frameHeight: Self.height, perspective: nil, sizes: map).count == 2)
        // One car seen as bonnet and boot, 4 px apart: 30 px long together.
        let pieces = [blob(50, 12), blob(66, 14)]
        #expect(grouping.group(pieces, frameWidth: 320, frameHeight: Self.height, perspective: nil, sizes: map).count == 1)
    }

    @Test("where a row crosses a near and a far carriageway, each carriageway's cell answers its own size")
    func cellsTellCarriagewaysApart() {
        var map = ObjectSizeMap()
        // Left quarter: near cars 40 px long; right quarter: far cars 16 px long, same rows.
        for index in 0..<40 {
            Self.observeOne(Box(x: 10, y: 100, width: 40 + Double(index % 3), height: 20), in: &map)
            Self.observeOne(Box(x: 260, y: 100, width: 16 + Double(index % 2), height: 9), in: &map)
        }
        let near = map.size(at: Point(x: 30, y: 110), frameWidth: Self.width, frameHeight: Self.height)
        let far = map.size(at: Point(x: 268, y: 104), frameWidth: Self.width, frameHeight: Self.height)
        #expect(near.map { abs($0.width - 41) <= 3 } == true, "near cell: \(String(describing: near))")
        #expect(far.map { abs($0.width - 16.5) <= 2 } == true, "far cell: \(String(describing: far))")
        #expect(map.size(at: Point(x: 140, y: 110), frameWidth: Self.width, frameHeight: Self.height) == nil,
                "a middle cell that saw nothing falls back to the band, which mixes both sizes")
    }

    @Test("one object lingering in a cell teaches it once: the cell's usual size is that of the many who pass")
    func lingeringObjectCountsOnce() {
        var map = ObjectSizeMap()
        // A pair of people standing together, 60 px wide, seen in 200 frames in one cell, while
        // 100 single people 25 px wide pass through the same cell.
        var pair = -1
        for index in 0..<200 {
            map.observe(Box(x: 10, y: 100, width: 60, height: 40), lastCell: &pair, frameWidth: Self.width, frameHeight: Self.height)
            if index % 2 == 0 { Self.observeOne(Box(x: 20 + Double(index % 5), y: 100, width: 25, height: 40), in: &map) }
        }
        let size = map.size(at: Point(x: 40, y: 120), frameWidth: Self.width, frameHeight: Self.height)
        #expect(size.map { abs($0.width - 25) <= 3 } == true, "the passers' size, not the pair's: \(String(describing: size))")
    }
}
