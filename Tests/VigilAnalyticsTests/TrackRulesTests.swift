import Testing
import VigilAnalytics
import VigilEvents
import VigilSynth
import VigilVision

/// Zone and flow rules on synthetic scenes whose timing is known exactly, through the
/// whole chain (motion → tracker → rules).
@Suite("Security and flow rules against ground truth")
struct TrackRulesTests {
    static let fps = 25.0
    /// The right third of the frame, from the middle down.
    static let restricted = Polygon([Point(x: 0.62, y: 0.35), Point(x: 0.98, y: 0.35), Point(x: 0.98, y: 0.99), Point(x: 0.62, y: 0.99)])

    func run(_ spec: SceneSpec, lines: [TrackRules.Line] = [], zones: [TrackRules.Zone], ground: GroundPlane? = nil) -> [Event] {
        let renderer = SceneRenderer(spec: spec)
        var detector = MotionDetector()
        var tracker = Tracker()
        var rules = TrackRules(camera: "test", lines: lines, zones: zones)
        rules.ground = ground
        var image = GrayImage(width: spec.width, height: spec.height)
        var mask = GrayImage(width: spec.width, height: spec.height)
        var events: [Event] = []
        for frame in 0..<spec.frameCount {
            _ = renderer.render(frame: frame, into: &image, mask: &mask)
            _ = detector.analyze(image)
            let pts = Double(frame) / Self.fps
            tracker.update(blobs: detector.blobs, pts: pts, frameWidth: spec.width, frameHeight: spec.height)
            events += rules.observe(tracks: tracker.tracks, frame: frame, pts: pts, frameWidth: spec.width, frameHeight: spec.height)
        }
        events += rules.finish(frame: spec.frameCount - 1, pts: Double(spec.frameCount - 1) / Self.fps)
        return events
    }

    func person(_ keyframes: [SceneObject.Keyframe], id: Int = 1) -> SceneObject {
        SceneObject(id: id, kind: .person, width: 0.04, height: 0.2, intensity: 30, path: keyframes)
    }

    func scene(_ objects: [SceneObject], frames: Int) -> SceneSpec {
        var spec = SceneSpec(name: "rules", width: 320, height: 180, frameCount: frames, seed: 4, noiseSigma: 2)
        spec.objects = objects
        return spec
    }

    /// First frame at which the object's anchor is inside the polygon.
    func entryFrame(_ object: SceneObject, _ polygon: Polygon) -> Int? {
        (object.firstFrame...object.lastFrame).first { object.anchor(at: $0).map(polygon.contains) ?? false }
    }

    @Test("a person entering a restricted zone: one intrusion, starting within 0.5 s of the entry, ending after they leave")
    func intrusion() {
        let walker = person([.init(frame: 0, x: 0.1, y: 0.7), .init(frame: 100, x: 0.8, y: 0.7), .init(frame: 150, x: 0.8, y: 0.75),
                             .init(frame: 230, x: 0.1, y: 0.75)])
        let spec = scene([walker], frames: 320)
        let events = run(spec, zones: [TrackRules.Zone(id: "site", polygon: Self.restricted, intrusionClasses: [.person])])
        let intrusions = events.filter { $0.type == .intrusion }
        #expect(intrusions.map(\.state) == [.start, .end], "\(intrusions.map { ($0.state, $0.frame) })")
        let entry = entryFrame(walker, Self.restricted)!
        if let start = intrusions.first {
            #expect(abs((start.pts ?? -1) - Double(entry) / Self.fps) <= 0.5, "start \(start.pts ?? -1) s, entry at \(Double(entry) / Self.fps) s")
            #expect(start.zone == "site" && start.objectClass == .person)
        }
        // It leaves the zone at the frame its anchor is last inside; the end follows within the 3 s quiet period + 0.5 s.
        let leave = (entry...walker.lastFrame).first { !(walker.anchor(at: $0).map(Self.restricted.contains) ?? false) }!
        if intrusions.count == 2, let end = intrusions.last?.pts {
            #expect(end >= Double(leave) / Self.fps && end <= Double(leave) / Self.fps + 3.5, "end \(end) s, left at \(Double(leave) / Self.fps) s")
        }
    }

    @Test("no intrusion for a person passing outside the zone, for a class not listed, or outside the schedule")
    func noIntrusion() {
        let outside = scene([person([.init(frame: 0, x: 0.05, y: 0.7), .init(frame: 120, x: 0.55, y: 0.72)])], frames: 150)
        #expect(run(outside, zones: [TrackRules.Zone(id: "site", polygon: Self.restricted, intrusionClasses: [.person])]).isEmpty)
        let inside = scene([person([.init(frame: 0, x: 0.1, y: 0.7), .init(frame: 100, x: 0.8, y: 0.7), .init(frame: 149, x: 0.9, y: 0.7)])], frames: 150)
        #expect(run(inside, zones: [TrackRules.Zone(id: "site", polygon: Self.restricted, intrusionClasses: [.vehicle])]).isEmpty)
        var disarmed = TrackRules.Zone(id: "site", polygon: Self.restricted, intrusionClasses: [.person])
        disarmed.intrusionArmed = { false }
        #expect(run(inside, zones: [disarmed]).isEmpty)
    }

    @Test("loitering: a person staying longer than the limit raises it once, within 0.5 s of the limit; passing through does not")
    func loitering() {
        // Enters, then drifts slowly about inside for 12 s, then leaves.
        let loiterer = person([.init(frame: 0, x: 0.2, y: 0.8), .init(frame: 60, x: 0.7, y: 0.8), .init(frame: 180, x: 0.85, y: 0.6),
                               .init(frame: 360, x: 0.7, y: 0.85), .init(frame: 420, x: 0.3, y: 0.8)])
        let passer = person([.init(frame: 100, x: 0.55, y: 0.5), .init(frame: 160, x: 1.05, y: 0.5)], id: 2)
        let spec = scene([loiterer, passer], frames: 440)
        let zone = TrackRules.Zone(id: "gate", polygon: Self.restricted, loiteringSeconds: 8)
        let events = run(spec, zones: [zone]).filter { $0.type == .loitering }
        #expect(events.map(\.state) == [.start, .end], "\(events.map { ($0.state, $0.frame, $0.track) })")
        let entry = entryFrame(loiterer, Self.restricted)!
        if let start = events.first {
            let expected = Double(entry) / Self.fps + 8
            #expect(abs((start.pts ?? -1) - expected) <= 0.5, "start \(start.pts ?? -1) s, expected \(expected) s")
        }
    }

    @Test("traffic_flow reports add up to the line crossings, per direction, for every interval")
    func flow() {
        var spec = SceneSpec.preset(.traffic, width: 320, height: 180, frameCount: 250, seed: 3)
        spec.noiseSigma = 2
        let line = TrackRules.Line(definition: .init(id: "gate", segment: spec.lines[0].segment, aToBName: "west", bToAName: "east"), flowInterval: 3)
        let events = run(spec, lines: [line], zones: [])
        let crossings = events.filter { $0.type == .lineCrossing }
        let flows = events.filter { $0.type == .trafficFlow }
        #expect(flows.count == 4, "10 s at 3 s intervals: three full and one partial, got \(flows.count)")
        func total(_ direction: String) -> Int64 {
            flows.reduce(0) { sum, flow in
                guard case let .object(counts)? = flow.data?["counts"], case let .object(byClass)? = counts[direction] else { return sum }
                return sum + byClass.values.reduce(0) { if case let .int(n) = $1 { return $0 + n }; return $0 }
            }
        }
        #expect(total("west") == Int64(crossings.filter { $0.direction == "west" }.count))
        #expect(total("east") == Int64(crossings.filter { $0.direction == "east" }.count))
        #expect(crossings.count == spec.lineCrossings().count)
    }
}

@Suite("Traffic rules against ground truth")
struct TrafficRulesTests {
    let harness = TrackRulesTests()

    func vehicle(_ id: Int, _ keyframes: [SceneObject.Keyframe], intensity: Int = 30) -> SceneObject {
        SceneObject(id: id, kind: .vehicle, width: 0.15, height: 0.12, intensity: intensity, path: keyframes)
    }

    @Test("a vehicle standing in a no-stopping zone: stopped_vehicle once, within 0.5 s of the limit, ending when it drives off")
    func stoppedVehicle() {
        // Drives in, stands 10 s (frames 60–310), drives off.
        let car = vehicle(1, [.init(frame: 0, x: 0.05, y: 0.8), .init(frame: 60, x: 0.75, y: 0.8), .init(frame: 310, x: 0.75, y: 0.8),
                              .init(frame: 360, x: 1.2, y: 0.8)])
        let passing = vehicle(2, [.init(frame: 100, x: 1.2, y: 0.5), .init(frame: 180, x: -0.2, y: 0.5)], intensity: 220)
        let spec = harness.scene([car, passing], frames: 380)
        var zone = TrackRules.Zone(id: "no-stopping", polygon: TrackRulesTests.restricted)
        zone.stoppedSeconds = 5
        let events = harness.run(spec, zones: [zone]).filter { $0.type == .stoppedVehicle }
        #expect(events.map(\.state) == [.start, .end], "\(events.map { ($0.state, $0.frame, $0.track) })")
        if let start = events.first?.pts { #expect(abs(start - (60.0 / 25 + 5)) <= 0.5, "start at \(start) s") }
        if events.count == 2, let end = events.last?.pts { #expect(end >= 310.0 / 25 && end <= 310.0 / 25 + 1.5, "end at \(end) s") }
    }

    @Test("wrong way: every vehicle against the zone's direction once, none going the right way")
    func wrongWay() {
        // The traffic preset: the lower lane (y 0.8) drives right, the upper lane (y 0.55) left.
        let spec = SceneSpec.preset(.traffic, width: 320, height: 180, frameCount: 250, seed: 3)
        let lower = Polygon([Point(x: 0.1, y: 0.7), Point(x: 0.9, y: 0.7), Point(x: 0.9, y: 0.95), Point(x: 0.1, y: 0.95)])
        let upper = Polygon([Point(x: 0.1, y: 0.45), Point(x: 0.9, y: 0.45), Point(x: 0.9, y: 0.65), Point(x: 0.1, y: 0.65)])
        var rightLane = TrackRules.Zone(id: "lower", polygon: lower)
        rightLane.allowedDirection = Point(x: 1, y: 0)
        var oncoming = TrackRules.Zone(id: "upper", polygon: upper)
        oncoming.allowedDirection = Point(x: 1, y: 0)
        let events = harness.run(spec, zones: [rightLane, oncoming]).filter { $0.type == .wrongWay && $0.state == .start }
        #expect(!events.contains { $0.zone == "lower" }, "\(events.map { ($0.zone, $0.frame) })")
        // Upper-lane vehicles that pass through the middle of the picture after the warm-up.
        let expected = spec.objects.filter { object in
            object.path.first!.y < 0.7 && (object.firstFrame...object.lastFrame).contains { frame in
                frame > 30 && (object.anchor(at: frame).map { abs($0.x - 0.5) < 0.05 } ?? false)
            }
        }.count
        #expect(expected >= 3)
        #expect(events.filter { $0.zone == "upper" }.count == expected, "\(events.map { ($0.zone, $0.frame, $0.track) }), expected \(expected)")
    }

    @Test("congestion: five vehicles crawling through the zone start it; the road clearing ends it")
    func congestion() {
        // Five vehicles crawl across at 0.2 of their length per second, bumper to bumper, then clear at speed.
        var objects: [SceneObject] = []
        for index in 0..<5 {
            let x = 0.2 + Double(index) * 0.17
            let y = index % 2 == 0 ? 0.8 : 0.6
            objects.append(vehicle(index + 1, [.init(frame: 0, x: x - 0.3, y: y), .init(frame: 50, x: x, y: y), .init(frame: 300, x: x + 0.06, y: y),
                                               .init(frame: 340, x: x + 1.0, y: y)], intensity: index % 2 == 0 ? 30 : 220))
        }
        let spec = harness.scene(objects, frames: 640)
        var zone = TrackRules.Zone(id: "junction", polygon: Polygon([Point(x: 0.0, y: 0.3), Point(x: 1.0, y: 0.3), Point(x: 1.0, y: 1.0), Point(x: 0.0, y: 1.0)]))
        zone.congestion = (vehicles: 4, speed: 0.5, seconds: 4)
        let events = harness.run(spec, zones: [zone]).filter { $0.type == .congestion }
        #expect(events.map(\.state) == [.start, .end], "\(events.map { ($0.state, $0.pts) })")
        if let start = events.first?.pts {
            // All five in and crawling from frame 50 (2 s): start 4 s later, give or take confirmation.
            #expect(start >= 5.5 && start <= 7, "start at \(start) s")
        }
        if events.count == 2, let end = events.last?.pts {
            // They leave at 12–13.6 s; the end follows 10 s of a clear road.
            #expect(end >= 22 && end <= 24.5, "end at \(end) s")
        }
    }
}

@Suite("Abandoned objects against ground truth")
struct AbandonedObjectTests {
    let harness = TrackRulesTests()

    func bag(_ keyframes: [SceneObject.Keyframe]) -> SceneObject {
        SceneObject(id: 9, kind: .vehicle, width: 0.035, height: 0.06, intensity: 215, path: keyframes)
    }

    func zone() -> TrackRules.Zone {
        var zone = TrackRules.Zone(id: "hall", polygon: Polygon([Point(x: 0, y: 0.3), Point(x: 1, y: 0.3), Point(x: 1, y: 1), Point(x: 0, y: 1)]))
        zone.abandonedSeconds = 6
        return zone
    }

    @Test("a bag left behind by someone who walks away: abandoned_object once, 6 s after they are gone; ends when it is taken")
    func leftBehind() {
        // Carried at the person's side to x 0.5 by frame 100, left there; they walk off; it is taken at frame 400.
        let owner = harness.person([.init(frame: 0, x: 0.05, y: 0.75), .init(frame: 100, x: 0.48, y: 0.75), .init(frame: 180, x: 1.05, y: 0.75)])
        let left = bag([.init(frame: 0, x: 0.08, y: 0.75), .init(frame: 100, x: 0.51, y: 0.75), .init(frame: 400, x: 0.51, y: 0.75)])
        let spec = harness.scene([owner, left], frames: 460)
        let events = harness.run(spec, zones: [zone()]).filter { $0.type == .abandonedObject }
        #expect(events.map(\.state) == [.start, .end], "\(events.map { ($0.state, $0.frame, $0.track) })")
        if let start = events.first?.frame {
            // Put down at frame 100 (4 s); the owner is three bag sizes away about a second later.
            #expect(start >= 100 + 150 && start <= 100 + 150 + 40, "start at frame \(start)")
        }
        if events.count == 2, let end = events.last?.frame { #expect(end >= 400 && end <= 400 + 40, "end at frame \(end)") }
    }

    @Test("a bag whose owner stays beside it is not abandoned")
    func attended() {
        let owner = harness.person([.init(frame: 0, x: 0.05, y: 0.75), .init(frame: 100, x: 0.48, y: 0.75), .init(frame: 400, x: 0.47, y: 0.76)])
        let kept = bag([.init(frame: 0, x: 0.08, y: 0.75), .init(frame: 100, x: 0.51, y: 0.75), .init(frame: 400, x: 0.51, y: 0.75)])
        let spec = harness.scene([owner, kept], frames: 400)
        #expect(harness.run(spec, zones: [zone()]).filter { $0.type == .abandonedObject }.isEmpty)
    }
}

@Suite("Ground calibration")
struct GroundPlaneTests {
    @Test("the four points map exactly, and the diagonals' crossing maps to the ground diagonals' crossing")
    func exact() throws {
        // A lane 3.5 m wide and 30 m long, seen in perspective as a trapezoid.
        let image = [Point(x: 0.45, y: 0.3), Point(x: 0.55, y: 0.3), Point(x: 0.8, y: 0.95), Point(x: 0.2, y: 0.95)]
        let ground = [Point(x: 0, y: 30), Point(x: 3.5, y: 30), Point(x: 3.5, y: 0), Point(x: 0, y: 0)]
        let plane = try GroundPlane(image: image, ground: ground)
        for (p, q) in zip(image, ground) {
            let mapped = plane.ground(p)
            #expect(abs(mapped.x - q.x) < 1e-6 && abs(mapped.y - q.y) < 1e-6, "\(p) → \(mapped), expected \(q)")
        }
        // Where the image diagonals cross is the image of where the ground diagonals cross (1.75, 15).
        func crossing(_ a: Point, _ b: Point, _ c: Point, _ d: Point) -> Point {
            let t = ((c.x - a.x) * (d.y - c.y) - (c.y - a.y) * (d.x - c.x)) / ((b.x - a.x) * (d.y - c.y) - (b.y - a.y) * (d.x - c.x))
            return Point(x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y))
        }
        let centre = plane.ground(crossing(image[0], image[2], image[1], image[3]))
        #expect(abs(centre.x - 1.75) < 1e-6 && abs(centre.y - 15) < 1e-6, "\(centre)")
        #expect(throws: GroundPlane.CalibrationError.degenerate) {
            try GroundPlane(image: [Point(x: 0, y: 0), Point(x: 0.5, y: 0.5), Point(x: 1, y: 1), Point(x: 0, y: 1)], ground: ground)
        }
    }

    @Test("line crossings carry ground speeds within 10 % of the truth; flow reports their mean")
    func speeds() throws {
        // Seen straight down: the 320×180 picture covers 32 m × 18 m of road.
        let spec = SceneSpec.preset(.traffic, width: 320, height: 180, frameCount: 250, seed: 3)
        let plane = try GroundPlane(image: [Point(x: 0, y: 0), Point(x: 1, y: 0), Point(x: 1, y: 1), Point(x: 0, y: 1)],
                                    ground: [Point(x: 0, y: 0), Point(x: 32, y: 0), Point(x: 32, y: 18), Point(x: 0, y: 18)])
        let line = TrackRules.Line(definition: .init(id: "gate", segment: spec.lines[0].segment), flowInterval: 4)
        let events = TrackRulesTests().run(spec, lines: [line], zones: [], ground: plane)
        let crossings = events.filter { $0.type == .lineCrossing }
        #expect(crossings.count >= 8)
        for crossing in crossings {
            // The truth: the vehicle whose path is at the line then (straight, constant speed).
            let truth = spec.objects.compactMap { object -> Double? in
                guard let frame = crossing.frame, let anchor = object.anchor(at: frame), abs(anchor.x - 0.5) < 0.15 else { return nil }
                let first = object.path.first!, last = object.path.last!
                let metresPerFrame = abs(last.x - first.x) * 32 / Double(last.frame - first.frame)
                return metresPerFrame * 25 * 3.6
            }
            // Tracks younger than a dozen frames (here: vehicles already in view during the warm-up) carry no speed.
            guard case let .double(measured)? = crossing.data?["speed_kmh"] else { continue }
            #expect(truth.contains { abs(measured - $0) <= 0.1 * $0 }, "measured \(measured) km/h, candidates \(truth) frame \(crossing.frame ?? -1) track \(crossing.track ?? -1)")
        }
        #expect(crossings.filter { $0.data?["speed_kmh"] != nil }.count * 10 >= crossings.count * 8, "most crossings have a speed")
        let flows = events.filter { $0.type == .trafficFlow }
        #expect(flows.allSatisfy { $0.data?["mean_speed_kmh"] != nil })
    }
}
