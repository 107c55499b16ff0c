import Testing
import VigilVision

/// `VehicleSplitting` on hand-made masks and a size map taught one car size: when a blob is cut,
/// where, and what each piece measures.
@Suite("Vehicle splitting")
struct VehicleSplittingTests {
    static let size = 240

    /// A size map that has seen `count` cars of 20 × 10 px all over the picture.
    static func sizes(count: Int = 40) -> ObjectSizeMap {
        var map = ObjectSizeMap()
        for index in 0..<count {
            for y in Swift.stride(from: 5, to: size, by: 10) {
                var cell = -1
                map.observe(Box(x: Double(index % 200), y: Double(y), width: 20, height: 10), lastCell: &cell, frameWidth: size, frameHeight: size)
            }
        }
        return map
    }

    /// A mask with the given rectangles filled (x, y, width, height) and the one blob around them all.
    static func scene(_ rectangles: [(Int, Int, Int, Int)]) -> (mask: GrayImage, blob: Blob) {
        var mask = GrayImage(width: size, height: size)
        var minX = Int.max, minY = Int.max, maxX = 0, maxY = 0
        for (x0, y0, w, h) in rectangles {
            for y in y0..<(y0 + h) { for x in x0..<(x0 + w) { mask.pixels[y * size + x] = 255 } }
            minX = min(minX, x0); minY = min(minY, y0); maxX = max(maxX, x0 + w); maxY = max(maxY, y0 + h)
        }
        let area = mask.pixels.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        let box = Box(x: Double(minX), y: Double(minY), width: Double(maxX - minX), height: Double(maxY - minY))
        return (mask, Blob(box: box, area: area, centroid: Point(x: box.x + box.width / 2, y: box.y + box.height / 2)))
    }

    @Test("two cars nose to tail, touching at a narrow neck off the blob's middle: cut at the neck, each piece its own car's box")
    func noseToTail() throws {
        // A 20 × 14 car at rows 100-113, a 4 px wide neck at rows 114-115, a 20 × 7 car at rows 116-122.
        let (mask, blob) = Self.scene([(100, 100, 20, 14), (108, 114, 4, 2), (100, 116, 20, 7)])
        var splitting = VehicleSplitting()
        let pieces = splitting.split([blob], mask: mask, sizes: Self.sizes())
        try #require(pieces.count == 2, "\(pieces)")
        let (a, b) = (pieces[0], pieces[1])
        // The equal cut would be at row 112, inside the first car; the neck is at 114-115.
        #expect(a.box.y == 100 && a.box.y + a.box.height >= 114 && a.box.y + a.box.height <= 116, "\(a.box)")
        #expect(b.box.y >= 114 && b.box.y <= 116 && b.box.y + b.box.height == 123, "\(b.box)")
        #expect(a.box.x == 100 && a.box.width == 20 && b.box.x == 100 && b.box.width == 20)
        #expect(a.area + b.area == blob.area)
    }

    @Test("three cars abreast in neighbouring lanes: three pieces, one per car")
    func abreast() throws {
        let (mask, blob) = Self.scene([(40, 50, 20, 10), (61, 51, 19, 10), (81, 50, 20, 10)])
        var splitting = VehicleSplitting()
        let pieces = splitting.split([blob], mask: mask, sizes: Self.sizes())
        try #require(pieces.count == 3, "\(pieces)")
        #expect(pieces.map(\.box.x) == [40, 61, 81], "\(pieces)")
        #expect(pieces.allSatisfy { $0.box.height == 10 && $0.box.width >= 19 && $0.box.width <= 20 }, "\(pieces)")
    }

    @Test("1.4 cars, a car with a thin smear behind it, and any blob before a size is learned stay whole")
    func staysWhole() throws {
        var splitting = VehicleSplitting()
        // 1.4 cars long: under the factor.
        let (long, longBlob) = Self.scene([(100, 100, 20, 14)])
        #expect(splitting.split([longBlob], mask: long, sizes: Self.sizes()) == [longBlob])
        // A car with a one-pixel line 14 px below it: the box is 2.4 cars tall, but the lower
        // piece (the cut falls in the line, at row 112) holds 12 px of foreground, under a quarter of a car's 200.
        let (smear, smearBlob) = Self.scene([(100, 100, 20, 10), (110, 110, 1, 14)])
        #expect(splitting.split([smearBlob], mask: smear, sizes: Self.sizes()) == [smearBlob])
        // Two cars nose to tail, but the map has seen too few objects to answer.
        let (pair, pairBlob) = Self.scene([(100, 100, 20, 10), (100, 111, 20, 10)])
        #expect(Self.sizes(count: 0).median(at: pairBlob.box.centre, frameWidth: Self.size, frameHeight: Self.size) == nil)
        #expect(splitting.split([pairBlob], mask: pair, sizes: Self.sizes(count: 0)) == [pairBlob])
        // The same pair with the map taught is cut: the cases above stayed whole for their own reasons.
        #expect(splitting.split([pairBlob], mask: pair, sizes: Self.sizes()).count == 2)
    }

    @Test("a queue of three beside a lone car: the 3 × 2 grid's lower right holds nothing, so the blob is cut along its longer axis only")
    func gridWithEmptyCorner() throws {
        // Lane one: cars at rows 100-110, 111-121 and 122-131; lane two, touching it: one car at rows 100-110.
        // The blob is 41 × 32: 2 cars across, 3.2 along.
        let (mask, blob) = Self.scene([(100, 100, 20, 11), (100, 111, 20, 11), (100, 122, 20, 10), (120, 100, 21, 11)])
        var splitting = VehicleSplitting()
        let pieces = splitting.split([blob], mask: mask, sizes: Self.sizes())
        try #require(pieces.count == 3, "\(pieces)")
        #expect(pieces.reduce(0) { $0 + $1.area } == blob.area)
        // Three rows of pieces: the first holds both lanes' front cars (the limit of one axis), the others lane one's.
        #expect(pieces[0].box.x == 100 && pieces[0].box.width == 41 && pieces[0].box.y == 100, "\(pieces)")
        #expect(pieces[1].box.x == 100 && pieces[1].box.width == 20 && pieces[2].box.width == 20, "\(pieces)")
        #expect(pieces[2].box.y + pieces[2].box.height == 132, "\(pieces)")
    }
}
