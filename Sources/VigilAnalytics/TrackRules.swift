import VigilEvents
import VigilVision

/// Everything a camera's tracks are checked against, turned into events: counting lines
/// (`line_crossing` per counted track, `traffic_flow` per interval) and, per zone, the rules
/// its configuration turns on. Each zone rule is a small state machine of its own in Rules/
/// (`IntrusionWatch`, `LoiteringWatch`, `StoppedVehicleWatch`, `WrongWayWatch`,
/// `CongestionWatch`, `AbandonedObjectWatch`, fed by `ZonePresence`), tested with hand-made
/// track snapshots; this type only feeds them. Geometry is normalized 0…1 as in the
/// configuration; tracks come in analysis pixels.
public struct TrackRules: Sendable {
    public struct Line: Sendable, Equatable {
        public var definition: LineCounter.Definition
        public var flowInterval: Double
        public init(definition: LineCounter.Definition, flowInterval: Double = 60) {
            self.definition = definition
            self.flowInterval = flowInterval
        }
    }

    public struct Zone: Sendable, Equatable {
        public var id: String
        public var polygon: Polygon
        /// Intrusion: tracks of these classes entering raise it (nil = no intrusion rule).
        public var intrusionClasses: Set<ObjectClass>?
        /// Whether the intrusion rule is armed now (a schedule, evaluated by the caller).
        public var intrusionArmed: @Sendable () -> Bool = { true }
        /// Loitering: a track staying longer than this many seconds (nil = no rule).
        public var loiteringSeconds: Double?
        /// Stopped vehicle: a vehicle standing still longer than this many seconds.
        public var stoppedSeconds: Double?
        /// Wrong way: the allowed direction of travel (normalized image vector) and how long
        /// a track must move against it.
        public var allowedDirection: Point?
        public var wrongWaySeconds = 1.0
        /// Congestion: at least `vehicles` vehicles at a mean speed below `speed` vehicle
        /// lengths per second, for `seconds`.
        public var congestion: (vehicles: Int, speed: Double, seconds: Double)?
        /// Abandoned object: something that is not a person, standing still this long with
        /// no person near it.
        public var abandonedSeconds: Double?
        public init(id: String, polygon: Polygon, intrusionClasses: Set<ObjectClass>? = nil, loiteringSeconds: Double? = nil) {
            self.id = id; self.polygon = polygon; self.intrusionClasses = intrusionClasses; self.loiteringSeconds = loiteringSeconds
        }
        public static func == (lhs: Zone, rhs: Zone) -> Bool {
            lhs.id == rhs.id && lhs.polygon == rhs.polygon && lhs.intrusionClasses == rhs.intrusionClasses && lhs.loiteringSeconds == rhs.loiteringSeconds
                && lhs.stoppedSeconds == rhs.stoppedSeconds && lhs.allowedDirection == rhs.allowedDirection && lhs.wrongWaySeconds == rhs.wrongWaySeconds
                && lhs.congestion?.vehicles == rhs.congestion?.vehicles && lhs.congestion?.speed == rhs.congestion?.speed
                && lhs.congestion?.seconds == rhs.congestion?.seconds && lhs.abandonedSeconds == rhs.abandonedSeconds
        }
    }

    public struct Settings: Sendable, Equatable {
        /// A track must be inside a zone this long before it counts as inside (no event
        /// for an anchor grazing the edge). Events still carry the moment it entered.
        public var enterSeconds = 0.25
        /// An intrusion ends once the zone has had no intruder for this long; a new one
        /// cannot start within `cooldownSeconds` of the last end (one incident, one event).
        public var intrusionEndSeconds = 3.0
        public var cooldownSeconds = 10.0
        /// Below this many of its own lengths per second a vehicle is standing still…
        public var stillSpeed = 0.15
        /// …and above this, moving (against the allowed direction, for wrong way).
        public var movingSpeed = 0.4
        /// Congestion ends after the condition has been false this long.
        public var congestionEndSeconds = 10.0
        public init() {}
    }

    /// One zone's presence and the rules its configuration turns on, each its own state
    /// machine (Rules/).
    struct ZoneWatches {
        var presence: ZonePresence
        var intrusion: IntrusionWatch?
        var loitering: LoiteringWatch?
        var stopped: StoppedVehicleWatch?
        var wrongWay: WrongWayWatch?
        var congestion: CongestionWatch?
        var abandoned: AbandonedObjectWatch?

        init(camera: String, zone: Zone) {
            presence = ZonePresence(polygon: zone.polygon)
            intrusion = zone.intrusionClasses.map { IntrusionWatch(camera: camera, zone: zone.id, classes: $0, armed: zone.intrusionArmed) }
            loitering = zone.loiteringSeconds.map { LoiteringWatch(camera: camera, zone: zone.id, seconds: $0) }
            stopped = zone.stoppedSeconds.map { StoppedVehicleWatch(camera: camera, zone: zone.id, seconds: $0) }
            wrongWay = zone.allowedDirection.map { WrongWayWatch(camera: camera, zone: zone.id, allowed: $0, seconds: zone.wrongWaySeconds) }
            congestion = zone.congestion.map { CongestionWatch(camera: camera, zone: zone.id, vehicles: $0.vehicles, speed: $0.speed, seconds: $0.seconds) }
            abandoned = zone.abandonedSeconds.map { AbandonedObjectWatch(camera: camera, zone: zone.id, seconds: $0) }
        }

        /// Feeds this frame's `tracks` to the presence and then to each rule; `measured` is
        /// scratch storage reused across frames.
        mutating func observe(_ tracks: [TrackSnapshot], measured: inout [TrackSnapshot], frame: Int, pts: Double, width: Double, height: Double,
                              settings: Settings, boxOf: (Box) -> [Double]) -> [Event] {
            presence.observe(tracks, frame: frame, pts: pts, width: width, height: height, enterSeconds: settings.enterSeconds)
            let present = presence.present, settled = presence.settled
            // The traffic rules look at what was measured inside this frame, settled or not.
            measured.removeAll(keepingCapacity: true)
            for track in tracks where present.contains(track.id) && !track.isCoasting && track.objectClass != .person { measured.append(track) }
            var events: [Event] = []
            events += loitering?.observe(settled, present: present, frame: frame, pts: pts, boxOf: boxOf) ?? []
            events += stopped?.observe(measured, present: present, frame: frame, pts: pts, stillSpeed: settings.stillSpeed,
                                       movingSpeed: settings.movingSpeed, boxOf: boxOf) ?? []
            events += wrongWay?.observe(measured, present: present, frame: frame, pts: pts, width: width, height: height,
                                        movingSpeed: settings.movingSpeed, boxOf: boxOf) ?? []
            events += abandoned?.observe(tracks, present: present, frame: frame, pts: pts, stillSpeed: settings.stillSpeed, boxOf: boxOf) ?? []
            events += congestion?.observe(measured, frame: frame, pts: pts, endSeconds: settings.congestionEndSeconds) ?? []
            events += intrusion?.observe(settled, frame: frame, pts: pts, endSeconds: settings.intrusionEndSeconds,
                                         cooldownSeconds: settings.cooldownSeconds, boxOf: boxOf) ?? []
            return events
        }

        /// Ends whatever the zone's rules have open, as at the end of a clip.
        mutating func finish(frame: Int, pts: Double) -> [Event] {
            var events: [Event] = []
            events += intrusion?.finish(frame: frame, pts: pts) ?? []
            events += loitering?.finish(frame: frame, pts: pts) ?? []
            events += stopped?.finish(frame: frame, pts: pts) ?? []
            events += wrongWay?.finish(frame: frame, pts: pts) ?? []
            events += abandoned?.finish(frame: frame, pts: pts) ?? []
            events += congestion?.finish(frame: frame, pts: pts) ?? []
            presence.reset()
            return events
        }
    }

    public let camera: String
    public var settings: Settings
    /// With a ground calibration, crossings and flow reports carry speeds in km/h.
    public var ground: GroundPlane?
    private var flowSpeeds: [(towardsB: [Double], towardsA: [Double])] = []
    private var counters: [LineCounter]
    private var lines: [Line]
    private var flowStart: [Double?]
    private var zones: [Zone]
    private var watches: [ZoneWatches]
    private var snapshots: [TrackSnapshot] = []
    private var measured: [TrackSnapshot] = []

    public init(camera: String, lines: [Line], zones: [Zone], settings: Settings = Settings()) {
        self.camera = camera
        self.lines = lines
        self.zones = zones
        self.settings = settings
        counters = lines.map { LineCounter($0.definition) }
        flowStart = lines.map { _ in nil }
        flowSpeeds = lines.map { _ in ([], []) }
        watches = zones.map { ZoneWatches(camera: camera, zone: $0) }
    }

    /// Each line with its crossings so far per direction, for drawing.
    public var lineTotals: [(definition: LineCounter.Definition, towardsB: Int, towardsA: Int)] {
        counters.map { ($0.definition, $0.totalTowardsB, $0.totalTowardsA) }
    }

    /// Crossings counted so far per line id, for reports.
    public var totals: [String: Int] {
        Dictionary(uniqueKeysWithValues: counters.map { ($0.definition.id, $0.totalCrossings) })
    }

    public mutating func observe(tracks: [Track], frame: Int, pts: Double, frameWidth: Int, frameHeight: Int) -> [Event] {
        var events: [Event] = []
        let w = Double(frameWidth), h = Double(frameHeight)
        func bbox(_ box: Box) -> [Double] {
            [box.x / w, box.y / h, box.width / w, box.height / h].map { ($0 * 10000).rounded() / 10000 }
        }
        for index in counters.indices {
            for crossing in counters[index].observe(tracks: tracks, frame: frame, pts: pts, frameWidth: frameWidth, frameHeight: frameHeight) {
                var data: [String: JSONValue]? = crossing.lane.map { ["lane": .string($0)] }
                // A speed needs a settled velocity: a dozen measured frames (half a second at 25 fps).
                if let ground, crossing.hits >= 12 {
                    let anchor = Point(x: crossing.box.anchor.x / w, y: crossing.box.anchor.y / h)
                    let speed = ground.speedKilometresPerHour(at: anchor, velocity: Point(x: crossing.velocity.x / w, y: crossing.velocity.y / h))
                    data = (data ?? [:]).merging(["speed_kmh": .double((speed * 10).rounded() / 10)]) { $1 }
                    if crossing.towardsB { flowSpeeds[index].towardsB.append(speed) } else { flowSpeeds[index].towardsA.append(speed) }
                }
                events.append(Event(type: .lineCrossing, camera: camera, frame: crossing.frame, pts: Self.round(crossing.pts), line: crossing.line,
                                    direction: crossing.direction, track: crossing.track, objectClass: Event.ObjectClass(crossing.objectClass),
                                    bbox: bbox(crossing.box), data: data))
            }
            let start = flowStart[index] ?? pts
            flowStart[index] = start
            if pts - start >= lines[index].flowInterval {
                events.append(flowEvent(index, frame: frame, pts: pts, seconds: pts - start))
                flowStart[index] = pts
            }
        }
        snapshots.removeAll(keepingCapacity: true)
        for track in tracks { snapshots.append(TrackSnapshot(track)) }
        for index in zones.indices { events += observeZone(index, frame: frame, pts: pts, width: w, height: h, boxOf: bbox) }
        return events
    }

    /// Closes what is open at the end of a clip (or before a reconnect): the partial
    /// flow interval and any running intrusion or loitering.
    public mutating func finish(frame: Int, pts: Double) -> [Event] {
        var events: [Event] = []
        for index in counters.indices {
            if let start = flowStart[index], pts > start {
                events.append(flowEvent(index, frame: frame, pts: pts, seconds: pts - start))
                flowStart[index] = nil
            }
        }
        for index in zones.indices { events += watches[index].finish(frame: frame, pts: pts) }
        return events
    }

    /// Takes a changed configuration while running (live reload). Lines and zones named in
    /// `unchangedLines` / `unchangedZones` keep their counts, timers and open events; a line
    /// or zone that changed or went away closes what it had open, as at a clip's end, and a
    /// changed or new one starts fresh.
    public mutating func reconfigure(lines newLines: [Line], zones newZones: [Zone], unchangedLines: Set<String>,
                                     unchangedZones: Set<String>, frame: Int, pts: Double) -> [Event] {
        var events: [Event] = []
        var keptLines: [String: Int] = [:]
        for index in lines.indices {
            let id = lines[index].definition.id
            if unchangedLines.contains(id) && newLines.contains(where: { $0.definition.id == id }) { keptLines[id] = index; continue }
            if let start = flowStart[index], pts > start { events.append(flowEvent(index, frame: frame, pts: pts, seconds: pts - start)) }
        }
        var keptZones: [String: Int] = [:]
        for index in zones.indices {
            let id = zones[index].id
            if unchangedZones.contains(id) && newZones.contains(where: { $0.id == id }) { keptZones[id] = index; continue }
            events += watches[index].finish(frame: frame, pts: pts)
        }
        counters = newLines.map { line in keptLines[line.definition.id].map { counters[$0] } ?? LineCounter(line.definition) }
        flowStart = newLines.map { line in keptLines[line.definition.id].flatMap { flowStart[$0] } }
        flowSpeeds = newLines.map { line in keptLines[line.definition.id].map { flowSpeeds[$0] } ?? ([], []) }
        watches = newZones.map { zone in keptZones[zone.id].map { watches[$0] } ?? ZoneWatches(camera: camera, zone: zone) }
        lines = newLines
        zones = newZones
        return events
    }

    private mutating func flowEvent(_ index: Int, frame: Int, pts: Double, seconds: Double) -> Event {
        let laneCounts = counters[index].laneCounts
        let counts = counters[index].takeCounts()
        let definition = lines[index].definition
        func byClass(_ towardsB: Bool) -> JSONValue {
            var object: [String: JSONValue] = [:]
            for objectClass in ObjectClass.allCases { object[objectClass.rawValue] = .int(Int64(counts[towardsB]?[objectClass] ?? 0)) }
            return .object(object)
        }
        var data: [String: JSONValue] = ["seconds": .double(Self.round(seconds)),
                                         "counts": .object([definition.aToBName: byClass(true), definition.bToAName: byClass(false)])]
        if !definition.lanes.isEmpty {
            // Both directions together: a lane carries one direction of traffic.
            data["lanes"] = .object(Dictionary(uniqueKeysWithValues: definition.lanes.map { ($0, JSONValue.int(Int64(laneCounts[$0] ?? 0))) }))
        }
        if ground != nil {
            // Mean ground speed per direction over the interval; null when nothing crossed.
            func mean(_ speeds: [Double]) -> JSONValue { speeds.isEmpty ? .null : .double((speeds.reduce(0, +) / Double(speeds.count) * 10).rounded() / 10) }
            data["mean_speed_kmh"] = .object([definition.aToBName: mean(flowSpeeds[index].towardsB), definition.bToAName: mean(flowSpeeds[index].towardsA)])
            flowSpeeds[index] = ([], [])
        }
        return Event(type: .trafficFlow, camera: camera, frame: frame, pts: Self.round(pts), line: definition.id, data: data)
    }

    /// One zone's rules in a fixed order: loitering, the traffic rules, abandoned objects, intrusion.
    private mutating func observeZone(_ index: Int, frame: Int, pts: Double, width: Double, height: Double, boxOf: (Box) -> [Double]) -> [Event] {
        // In place: a copy of the zone's watches would share their tables' storage, and every
        // change to a copy would copy a whole table each frame.
        watches[index].observe(snapshots, measured: &measured, frame: frame, pts: pts, width: width, height: height, settings: settings, boxOf: boxOf)
    }

    static func round(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}

extension Event.ObjectClass {
    init(_ objectClass: ObjectClass) {
        switch objectClass {
        case .person: self = .person
        case .vehicle: self = .vehicle
        case .unknown: self = .unknown
        }
    }
}
