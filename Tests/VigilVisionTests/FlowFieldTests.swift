import Testing
import VigilVision

@Suite("Flow field")
struct FlowFieldTests {
    @Test("a cell learns its traffic's velocity once it has seen enough, and only its own cell answers")
    func learns() throws {
        var flow = FlowField()
        let point = Point(x: 100, y: 50)
        flow.observe(velocity: Point(x: 90, y: 2), at: point, frameWidth: 480, frameHeight: 360)
        #expect(flow.velocity(at: point, frameWidth: 480, frameHeight: 360) == nil, "one observation is not enough")
        for _ in 0..<20 { flow.observe(velocity: Point(x: 90, y: 2), at: point, frameWidth: 480, frameHeight: 360) }
        let learned = try #require(flow.velocity(at: point, frameWidth: 480, frameHeight: 360))
        #expect(abs(learned.x - 90) < 0.01 && abs(learned.y - 2) < 0.01)
        // Far away, and outside the picture, nothing is known.
        #expect(flow.velocity(at: Point(x: 400, y: 300), frameWidth: 480, frameHeight: 360) == nil)
        #expect(flow.velocity(at: Point(x: -5, y: 50), frameWidth: 480, frameHeight: 360) == nil)
        #expect(flow.velocity(at: Point(x: 100, y: 360), frameWidth: 480, frameHeight: 360) == nil)
        flow.reset()
        #expect(flow.velocity(at: point, frameWidth: 480, frameHeight: 360) == nil)
    }

    @Test("where objects go both ways (a plaza, two carriageways in one cell) no flow is given")
    func incoherent() {
        var flow = FlowField()
        let point = Point(x: 240, y: 180)
        for index in 0..<40 {
            flow.observe(velocity: Point(x: index % 2 == 0 ? 60 : -60, y: 0), at: point, frameWidth: 480, frameHeight: 360)
        }
        #expect(flow.velocity(at: point, frameWidth: 480, frameHeight: 360) == nil)
        // Once the traffic there settles on one direction, the cell answers again.
        for _ in 0..<40 { flow.observe(velocity: Point(x: 60, y: 0), at: point, frameWidth: 480, frameHeight: 360) }
        let learned = flow.velocity(at: point, frameWidth: 480, frameHeight: 360)
        #expect(learned.map { $0.x > 50 } == true, "\(String(describing: learned))")
    }
}
