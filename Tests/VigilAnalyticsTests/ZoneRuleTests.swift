import Testing
import VigilAnalytics
import VigilEvents
import VigilVision

/// Each zone rule as a state machine of its own, fed hand-made track snapshots at 10 frames
/// per second: no rendering, no motion step, no tracker, so a red test names the rule.
@Suite("Zone rules, one state machine at a time")
struct ZoneRuleTests {
    static let fps = 10.0
    static func box(_ x: Double, _ y: Double, _ width: Double = 20, _ height: Double = 10) -> Box { Box(x: x, y: y, width: width, height: height) }
    static func boxOf(_ box: Box) -> [Double] { [box.x, box.y, box.width, box.height] }
    /// The left half of a 200 × 100 frame.
    static let left = Polygon([Point(x: 0, y: 0), Point(x: 0.5, y: 0), Point(x: 0.5, y: 1), Point(x: 0, y: 1)])

    /// Runs `frames` frames of `tracks(frame)` through a presence and `step`; returns the
    /// events with their frame.
    func run(_ frames: Int, enter: Double = 0.25, tracks: (Int) -> [TrackSnapshot],
             _ step: (inout ZonePresence, [TrackSnapshot], Int, Double) -> [Event]) -> [Event] {
        var presence = ZonePresence(polygon: Self.left)
        var events: [Event] = []
        for frame in 0..<frames {
            let pts = Double(frame) / Self.fps
            let snapshot = tracks(frame)
            presence.observe(snapshot, frame: frame, pts: pts, width: 200, height: 100, enterSeconds: enter)
            events += step(&presence, snapshot, frame, pts)
        }
        return events
    }

    @Test("presence: inside only after enter_seconds, with the entry time; a coasting track stays inside, never enters")
    func presence() {
        var presence = ZonePresence(polygon: Self.left)
        let walker = TrackSnapshot(id: 1, objectClass: .person, box: Self.box(40, 30))
        presence.observe([walker], frame: 0, pts: 0, width: 200, height: 100, enterSeconds: 0.25)
        #expect(presence.present.keys == [1] && presence.settled.isEmpty)
        presence.observe([walker], frame: 3, pts: 0.3, width: 200, height: 100, enterSeconds: 0.25)
        #expect(presence.settled.map(\.track.id) == [1] && presence.settled.first?.pts == 0 && presence.settled.first?.frame == 0)
        var hidden = walker
        hidden.isCoasting = true
        presence.observe([hidden], frame: 4, pts: 0.4, width: 200, height: 100, enterSeconds: 0.25)
        #expect(presence.present.keys == [1] && presence.settled.isEmpty)
        // A coasting track predicted into the zone was never measured there: not inside.
        let ghost = TrackSnapshot(id: 2, objectClass: .person, box: Self.box(40, 30), isCoasting: true)
        presence.observe([ghost], frame: 5, pts: 0.5, width: 200, height: 100, enterSeconds: 0.25)
        #expect(presence.present.isEmpty)
        // Outside (anchor at x = 150 of 200), and unconfirmed tracks, never count.
        presence.observe([TrackSnapshot(id: 3, objectClass: .person, box: Self.box(140, 30)),
                          TrackSnapshot(id: 4, objectClass: .person, box: Self.box(40, 30), isConfirmed: false)],
                         frame: 6, pts: 0.6, width: 200, height: 100, enterSeconds: 0.25)
        #expect(presence.present.isEmpty)
    }

    @Test("intrusion: starts at the entry of a watched class, ends after end_seconds without one, cools down before the next")
    func intrusion() {
        var watch = IntrusionWatch(camera: "c", zone: "z", classes: [.person])
        // A person inside on frames 10–29 and 40–49 (one incident), 100–109 (within the
        // 10 s cool-down after it ended: no new one), 200–209 (a new incident).
        let inside: (Int) -> Bool = { (10..<30).contains($0) || (40..<50).contains($0) || (100..<110).contains($0) || (200..<210).contains($0) }
        let events = run(300, tracks: { inside($0) ? [TrackSnapshot(id: $0 < 150 ? 1 : 2, objectClass: .person, box: Self.box(40, 30))] : [] }) { presence, _, frame, pts in
            watch.observe(presence.settled, frame: frame, pts: pts, endSeconds: 3, cooldownSeconds: 10, boxOf: Self.boxOf)
        }
        #expect(events.map(\.state) == [.start, .end, .start, .end], "\(events.map { ($0.state, $0.frame) })")
        // The start carries the entry frame; the end comes 3 s after the last intruder (4.9 s).
        #expect(events.map(\.frame).prefix(3) == [10, 79, 200], "\(events.map { ($0.state, $0.frame) })")
        #expect(events.count > 1 && events[1].data?["tracks"] == .int(1))
        #expect(watch.finish(frame: 299, pts: 29.9).isEmpty)
        // A vehicle does not set off a person-only zone; a running intrusion ends with the clip.
        var vehicles = IntrusionWatch(camera: "c", zone: "z", classes: [.person])
        let none = run(30, tracks: { _ in [TrackSnapshot(id: 5, objectClass: .vehicle, box: Self.box(40, 30))] }) { presence, _, frame, pts in
            vehicles.observe(presence.settled, frame: frame, pts: pts, endSeconds: 3, cooldownSeconds: 10, boxOf: Self.boxOf)
        }
        #expect(none.isEmpty)
        var running = IntrusionWatch(camera: "c", zone: "z", classes: [.person])
        let started = run(10, tracks: { _ in [TrackSnapshot(id: 6, objectClass: .person, box: Self.box(40, 30))] }) { presence, _, frame, pts in
            running.observe(presence.settled, frame: frame, pts: pts, endSeconds: 3, cooldownSeconds: 10, boxOf: Self.boxOf)
        }
        #expect(started.map(\.state) == [.start])
        #expect(running.finish(frame: 9, pts: 0.9).map(\.state) == [.end])
    }

    @Test("loitering: once per track after the limit, ended when it leaves; passing through raises nothing")
    func loitering() {
        var watch = LoiteringWatch(camera: "c", zone: "z", seconds: 5)
        // Track 1 stays from frame 0 to 79 (8 s); track 2 passes, 0 to 29 (3 s).
        let events = run(100, tracks: { frame in
            (frame < 80 ? [TrackSnapshot(id: 1, objectClass: .person, box: Self.box(10, 30))] : [])
                + (frame < 30 ? [TrackSnapshot(id: 2, objectClass: .person, box: Self.box(60, 60))] : [])
        }) { presence, _, frame, pts in
            watch.observe(presence.settled, present: presence.present, frame: frame, pts: pts, boxOf: Self.boxOf)
        }
        #expect(events.map { "\($0.track ?? 0) \($0.state.map { "\($0)" } ?? "") \($0.frame ?? -1)" } == ["1 start 50", "1 end 80"])
    }

    @Test("stopped vehicle: still for the limit starts it once, driving off ends it; a creeping car changes nothing")
    func stoppedVehicle() {
        var watch = StoppedVehicleWatch(camera: "c", zone: "z", seconds: 4)
        // 20 px long: still below 3 px/s, moving above 8 px/s (0.15 and 0.4 lengths per second).
        let events = run(150, tracks: { frame in
            let speed = frame < 100 ? 0.0 : 40.0
            // The measured box (what the event reports) is not the smoothed one the rule reads.
            return [TrackSnapshot(id: 7, objectClass: .vehicle, box: Self.box(30, 40), velocity: Point(x: speed, y: 0),
                                  reportedBox: Self.box(31, 41, 22, 11))]
        }) { presence, snapshot, frame, pts in
            watch.observe(snapshot.filter { presence.present.contains($0.id) }, present: presence.present, frame: frame, pts: pts,
                          stillSpeed: 0.15, movingSpeed: 0.4, boxOf: Self.boxOf)
        }
        #expect(events.map(\.state) == [.start, .end] && events.map(\.frame) == [40, 100], "\(events.map { ($0.state, $0.frame) })")
        #expect(events.first?.bbox == [31, 41, 22, 11], "\(events.first?.bbox ?? [])")
        var creeping = StoppedVehicleWatch(camera: "c", zone: "z", seconds: 4)
        let none = run(100, tracks: { _ in [TrackSnapshot(id: 8, objectClass: .vehicle, box: Self.box(30, 40), velocity: Point(x: 5, y: 0))] }) { presence, snapshot, frame, pts in
            creeping.observe(snapshot, present: presence.present, frame: frame, pts: pts, stillSpeed: 0.15, movingSpeed: 0.4, boxOf: Self.boxOf)
        }
        #expect(none.isEmpty)
    }

    @Test("wrong way: against the allowed direction for the limit, once; with it, never; leaving ends it")
    func wrongWay() {
        var watch = WrongWayWatch(camera: "c", zone: "z", allowed: Point(x: 1, y: 0), seconds: 1)
        let events = run(60, tracks: { frame in
            (frame < 40 ? [TrackSnapshot(id: 1, objectClass: .vehicle, box: Self.box(60, 40), velocity: Point(x: -30, y: 0),
                                         reportedBox: Self.box(58, 40))] : [])
                + [TrackSnapshot(id: 2, objectClass: .vehicle, box: Self.box(20, 70), velocity: Point(x: 30, y: 0))]
        }) { presence, snapshot, frame, pts in
            watch.observe(snapshot.filter { presence.present.contains($0.id) }, present: presence.present, frame: frame, pts: pts,
                          width: 200, height: 100, movingSpeed: 0.4, boxOf: Self.boxOf)
        }
        #expect(events.map { "\($0.track ?? 0) \($0.state.map { "\($0)" } ?? "") \($0.frame ?? -1)" } == ["1 start 10", "1 end 40"])
        #expect(events.first?.bbox == [58, 40, 20, 10], "\(events.first?.bbox ?? [])")
    }

    @Test("congestion: enough slow vehicles for the limit start it; the road clearing for end_seconds ends it")
    func congestion() {
        var watch = CongestionWatch(camera: "c", zone: "z", vehicles: 3, speed: 0.5, seconds: 2)
        // Four crawling cars for frames 0–99, then an empty road.
        let events = run(250, tracks: { frame in
            frame < 100 ? (1...4).map { TrackSnapshot(id: $0, objectClass: .vehicle, box: Self.box(Double($0) * 20, 40), velocity: Point(x: 4, y: 0)) } : []
        }) { presence, snapshot, frame, pts in
            watch.observe(snapshot.filter { presence.present.contains($0.id) }, frame: frame, pts: pts, endSeconds: 10)
        }
        #expect(events.map(\.state) == [.start, .end] && events.map(\.frame) == [20, 200], "\(events.map { ($0.state, $0.frame) })")
        #expect(events.first?.data?["vehicles"] == .int(4))
        // Two cars are not a jam.
        var few = CongestionWatch(camera: "c", zone: "z", vehicles: 3, speed: 0.5, seconds: 2)
        let none = run(100, tracks: { _ in (1...2).map { TrackSnapshot(id: $0, objectClass: .vehicle, box: Self.box(Double($0) * 20, 40)) } }) { presence, snapshot, frame, pts in
            few.observe(snapshot, frame: frame, pts: pts, endSeconds: 10)
        }
        #expect(none.isEmpty)
    }

    @Test("abandoned object: still and unattended for the limit, once; taken away ends it; an owner beside it keeps it attended")
    func abandonedObject() {
        let bag = { TrackSnapshot(id: 9, objectClass: .unknown, box: Self.box(40, 60, 10, 8)) }
        let owner = TrackSnapshot(id: 3, objectClass: .person, box: Self.box(52, 40, 8, 28))
        var watch = AbandonedObjectWatch(camera: "c", zone: "z", seconds: 6)
        // The owner stands by the bag until frame 20 and leaves; the bag is taken at frame 120.
        let events = run(140, tracks: { frame in (frame < 120 ? [bag()] : []) + (frame < 20 ? [owner] : []) }) { presence, snapshot, frame, pts in
            watch.observe(snapshot, present: presence.present, frame: frame, pts: pts, stillSpeed: 0.15, boxOf: Self.boxOf)
        }
        #expect(events.map(\.state) == [.start, .end] && events.map(\.frame) == [80, 120], "\(events.map { ($0.state, $0.frame) })")
        var attended = AbandonedObjectWatch(camera: "c", zone: "z", seconds: 6)
        let none = run(140, tracks: { _ in [bag(), owner] }) { presence, snapshot, frame, pts in
            attended.observe(snapshot, present: presence.present, frame: frame, pts: pts, stillSpeed: 0.15, boxOf: Self.boxOf)
        }
        #expect(none.isEmpty)
    }
}
