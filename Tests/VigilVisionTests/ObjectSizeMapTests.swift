import Testing
import VigilVision

/// The learned object size per band of rows, fed hand-made boxes.
@Suite("Object size map")
struct ObjectSizeMapTests {
    static let height = 240

    @Test("answers the median size of a band once it has seen enough objects, undisturbed by a minority of pairs")
    func medianOfABand() {
        var map = ObjectSizeMap()
        for index in 0..<11 { map.observe(Box(x: Double(index), y: 100, width: 30, height: 14), frameHeight: Self.height) }
        #expect(map.size(atY: 107, frameHeight: Self.height) == nil, "eleven objects are not enough")
        // One box in five is two cars in one (twice as long); the cars are 28-32 px long.
        for index in 0..<200 {
            let long = index % 5 == 4
            let width = long ? 62.0 : 28.0 + Double(index % 3) * 2
            map.observe(Box(x: 10, y: 100, width: width, height: 14), frameHeight: Self.height)
        }
        let size = map.size(atY: 107, frameHeight: Self.height)
        #expect(size != nil)
        if let size {
            #expect(abs(size.width - 30) <= 3, "median width \(size.width)")
            #expect(abs(size.height - 14) <= 1.5, "median height \(size.height)")
        }
        #expect(map.size(atY: 30, frameHeight: Self.height) == nil, "another band has seen nothing")
    }

    @Test("a band whose objects differ widely in size (cars and vans, near and far) gives no size")
    func mixedSizesGiveNone() {
        var map = ObjectSizeMap()
        for index in 0..<200 {
            let width = index % 2 == 0 ? 16.0 : 40.0
            map.observe(Box(x: 10, y: 100, width: width, height: width / 2), frameHeight: Self.height)
        }
        #expect(map.size(atY: 107, frameHeight: Self.height) == nil)
        map.reset()
        for _ in 0..<20 { map.observe(Box(x: 10, y: 100, width: 30, height: 14), frameHeight: Self.height) }
        #expect(map.size(atY: 107, frameHeight: Self.height) != nil, "after a reset the band learns anew")
    }

    @Test("grouping keeps two cars one behind the other apart, but still joins a car's two pieces")
    func groupingBySize() {
        var map = ObjectSizeMap()
        for _ in 0..<50 { map.observe(Box(x: 10, y: 100, width: 30, height: 14), frameHeight: Self.height) }
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
}
