import Testing
import VigilAnalytics
import VigilEvents
import VigilVision

/// Per-lane counts on a line with `lanes`, from hand-made blobs fed to the tracker (no
/// rendering, no motion model): vehicles drive down across a horizontal line in known lanes.
@Suite("Lane counts")
struct LaneCountingTests {
    static let width = 320, height = 240

    /// A 40×24 px vehicle whose centre is at `x` (pixels), driving down at 100 px/s from the top
    /// (or up, when `down` is false), its first frame at `start` seconds.
    struct Vehicle { var x: Double; var start: Double; var down = true; var back: Double? = nil }

    static func box(_ vehicle: Vehicle, at t: Double) -> Box? {
        let elapsed = t - vehicle.start
        guard elapsed >= 0 else { return nil }
        var y = vehicle.down ? 10 + 100 * elapsed : 206 - 100 * elapsed
        // `back`: turns round after this many seconds and drives back the way it came.
        if let back = vehicle.back, elapsed > back { y = 10 + 100 * back - 100 * (elapsed - back) }
        guard y >= 0, y + 24 <= Double(height) else { return nil }
        return Box(x: vehicle.x - 20, y: y, width: 40, height: 24)
    }

    static func run(_ vehicles: [Vehicle], lanes: [String], seconds: Double = 6) -> (crossings: [Event], flows: [Event]) {
        let line = TrackRules.Line(definition: .init(id: "stop-line", segment: LineSegment(from: Point(x: 0.1, y: 0.5), to: Point(x: 0.9, y: 0.5)),
                                                     lanes: lanes), flowInterval: 100)
        var rules = TrackRules(camera: "junction", lines: [line], zones: [])
        var tracker = Tracker()
        var events: [Event] = []
        var frame = 0
        while Double(frame) / 25 < seconds {
            let t = Double(frame) / 25
            let blobs = vehicles.compactMap { box($0, at: t) }.map { Blob(box: $0, area: Int($0.area), centroid: Point(x: $0.x + 20, y: $0.y + 12)) }
            tracker.update(blobs: blobs, pts: t, frameWidth: width, frameHeight: height)
            events += rules.observe(tracks: tracker.tracks, frame: frame, pts: t, frameWidth: width, frameHeight: height)
            frame += 1
        }
        events += rules.finish(frame: frame, pts: Double(frame) / 25)
        return (events.filter { $0.type == .lineCrossing }, events.filter { $0.type == .trafficFlow })
    }

    @Test("each crossing names the lane it crossed in; the flow report counts per lane")
    func lanes() throws {
        // The line runs from x = 32 to 288 px: lanes 32–117, 117–203, 203–288.
        let vehicles = [Vehicle(x: 70, start: 0), Vehicle(x: 160, start: 0.3), Vehicle(x: 250, start: 0.6), Vehicle(x: 160, start: 2.2)]
        let (crossings, flows) = Self.run(vehicles, lanes: ["kerb", "middle", "fast"])
        #expect(crossings.count == 4, "\(crossings.map { $0.data ?? [:] })")
        let lanes = crossings.sorted { ($0.pts ?? 0) < ($1.pts ?? 0) }.map { $0.data?["lane"] }
        let expected: [JSONValue?] = [.string("kerb"), .string("middle"), .string("fast"), .string("middle")]
        #expect(lanes == expected, "\(lanes)")
        let flow = try #require(flows.last?.data?["lanes"])
        #expect(flow == .object(["kerb": .int(1), "middle": .int(2), "fast": .int(1)]), "\(flow)")
    }

    @Test("a vehicle that crosses, turns and crosses back counts once; a line without lanes names none")
    func once() throws {
        let (crossings, flows) = Self.run([Vehicle(x: 160, start: 0, back: 1.6)], lanes: [])
        #expect(crossings.count == 1, "\(crossings)")
        #expect(crossings.first?.data?["lane"] == nil)
        #expect(flows.last?.data?["lanes"] == nil)
        // The same with lanes: once, in its lane.
        let laned = Self.run([Vehicle(x: 160, start: 0, back: 1.6)], lanes: ["1", "2", "3"]).crossings
        #expect(laned.count == 1 && laned.first?.data?["lane"] == .string("2"), "\(laned.map { $0.data ?? [:] })")
    }
}
