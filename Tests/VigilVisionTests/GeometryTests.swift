import Testing
import VigilVision

@Suite("Geometry and images")
struct GeometryTests {
    @Test("side A is the left of the line's direction on screen")
    func sides() {
        let line = LineSegment(from: Point(x: 0, y: 0.5), to: Point(x: 1, y: 0.5))
        #expect(line.side(of: Point(x: 0.5, y: 0.2)) == .a)
        #expect(line.side(of: Point(x: 0.5, y: 0.8)) == .b)
        #expect(line.side(of: Point(x: 0.5, y: 0.5)) == .on)
    }

    @Test("crossing means passing through the segment, not its extension")
    func segmentCrossing() {
        let line = LineSegment(from: Point(x: 0.2, y: 0.5), to: Point(x: 0.8, y: 0.5))
        #expect(line.isCrossed(from: Point(x: 0.5, y: 0.4), to: Point(x: 0.5, y: 0.6)))
        #expect(!line.isCrossed(from: Point(x: 0.9, y: 0.4), to: Point(x: 0.9, y: 0.6)))
        #expect(!line.isCrossed(from: Point(x: 0.5, y: 0.4), to: Point(x: 0.5, y: 0.45)))
    }

    @Test("polygon containment and box overlap")
    func polygonAndBoxes() {
        let triangle = Polygon([Point(x: 0, y: 0), Point(x: 1, y: 0), Point(x: 0, y: 1)])
        #expect(triangle.contains(Point(x: 0.2, y: 0.2)))
        #expect(!triangle.contains(Point(x: 0.8, y: 0.8)))
        let a = Box(x: 0, y: 0, width: 2, height: 2), b = Box(x: 1, y: 0, width: 2, height: 2)
        #expect(abs(a.intersectionOverUnion(b) - 1.0 / 3.0) < 1e-9)
        #expect(a.anchor == Point(x: 1, y: 2))
    }

    @Test("resizing an image to its own size keeps its storage")
    func resizeKeepsStorage() {
        var image = GrayImage(width: 8, height: 4, fill: 7)
        image.resize(width: 8, height: 4)
        #expect(image.pixels.count == 32 && image.pixels.allSatisfy { $0 == 7 })
        image.resize(width: 4, height: 2)
        #expect(image.pixels.count == 8)
        image.resize(width: 10, height: 10)
        #expect(image.pixels.count == 100)
    }

    @Test("the baseline motion step marks a moving square and nothing else")
    func runningAverage() {
        var motion = RunningAverageMotion(warmUpFrames: 3)
        let background = GrayImage(width: 40, height: 30, fill: 100)
        for _ in 0..<5 { _ = motion.analyze(background) }
        var frame = background
        for y in 10..<20 { for x in 10..<20 { frame[x, y] = 200 } }
        let observation = motion.analyze(frame)
        #expect(abs((observation.motionFraction ?? 0) - 100.0 / 1200.0) < 1e-9)
        let mask = motion.lastMask!
        #expect(mask[15, 15] == 255 && mask[5, 5] == 0)
    }
}
