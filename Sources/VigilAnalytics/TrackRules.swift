import VigilEvents
import VigilVision

/// Everything a camera's tracks are checked against, turned into events: counting lines
/// (`line_crossing` per counted track, `traffic_flow` per interval) and per-zone security
/// rules (`intrusion`, `loitering`). Geometry is normalized 0…1 as in the configuration;
/// tracks come in analysis pixels.
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

    struct ZoneState {
        var insideSince: [Int: (pts: Double, frame: Int)] = [:]
        var intrusionActive = false
        var intrusionTracks: Set<Int> = []
        var lastIntruderAt = -Double.infinity
        var intrusionEndedAt = -Double.infinity
        var loitering: [Int: (startFrame: Int, startPTS: Double)] = [:]
        var stillSince: [Int: Double] = [:]
        var stopped: [Int: Double] = [:]
        var againstSince: [Int: Double] = [:]
        var wrongWay: Set<Int> = []
        var unattendedSince: [Int: Double] = [:]
        var abandoned: [Int: Double] = [:]
        var congested = Debounce()
        var clearing = Debounce()
        var congestionActive = false
        var congestionStart = 0.0
    }

    public let camera: String
    public var settings: Settings
    /// With a ground calibration, crossings and flow reports carry speeds in km/h.
    public var ground: GroundPlane?
    private var flowSpeeds: [(towardsB: [Double], towardsA: [Double])] = []
    private var counters: [LineCounter]
    private let lines: [Line]
    private var flowStart: [Double?]
    private let zones: [Zone]
    private var zoneStates: [ZoneState]

    public init(camera: String, lines: [Line], zones: [Zone], settings: Settings = Settings()) {
        self.camera = camera
        self.lines = lines
        self.zones = zones
        self.settings = settings
        counters = lines.map { LineCounter($0.definition) }
        flowStart = lines.map { _ in nil }
        flowSpeeds = lines.map { _ in ([], []) }
        zoneStates = zones.map { _ in ZoneState() }
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
                var data: [String: JSONValue]? = nil
                // A speed needs a settled velocity: a dozen measured frames (half a second at 25 fps).
                if let ground, crossing.hits >= 12 {
                    let anchor = Point(x: crossing.box.anchor.x / w, y: crossing.box.anchor.y / h)
                    let speed = ground.speedKilometresPerHour(at: anchor, velocity: Point(x: crossing.velocity.x / w, y: crossing.velocity.y / h))
                    data = ["speed_kmh": .double((speed * 10).rounded() / 10)]
                    if crossing.towardsB { flowSpeeds[index].towardsB.append(speed) } else { flowSpeeds[index].towardsA.append(speed) }
                }
                events.append(Event(type: .lineCrossing, camera: camera, frame: frame, pts: Self.round(pts), line: crossing.line,
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
        for index in zones.indices { events += observeZone(index, tracks: tracks, frame: frame, pts: pts, width: w, height: h, boxOf: bbox) }
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
        for index in zones.indices {
            if zoneStates[index].intrusionActive {
                events.append(intrusionEnd(index, frame: frame, pts: pts))
            }
            for (track, start) in zoneStates[index].loitering.sorted(by: { $0.key < $1.key }) {
                events.append(Event(type: .loitering, camera: camera, frame: frame, pts: Self.round(pts), state: .end, zone: zones[index].id,
                                    track: track, data: ["seconds": .double(Self.round(pts - start.startPTS))]))
            }
            for (track, since) in zoneStates[index].stopped.sorted(by: { $0.key < $1.key }) {
                events.append(Event(type: .stoppedVehicle, camera: camera, frame: frame, pts: Self.round(pts), state: .end, zone: zones[index].id,
                                    track: track, data: ["seconds": .double(Self.round(pts - since))]))
            }
            for track in zoneStates[index].wrongWay.sorted() {
                events.append(Event(type: .wrongWay, camera: camera, frame: frame, pts: Self.round(pts), state: .end, zone: zones[index].id, track: track))
            }
            for (track, since) in zoneStates[index].abandoned.sorted(by: { $0.key < $1.key }) {
                events.append(Event(type: .abandonedObject, camera: camera, frame: frame, pts: Self.round(pts), state: .end, zone: zones[index].id,
                                    track: track, data: ["seconds": .double(Self.round(pts - since))]))
            }
            if zoneStates[index].congestionActive {
                events.append(Event(type: .congestion, camera: camera, frame: frame, pts: Self.round(pts), state: .end, zone: zones[index].id,
                                    data: ["seconds": .double(Self.round(pts - zoneStates[index].congestionStart))]))
            }
            zoneStates[index] = ZoneState()
        }
        return events
    }

    private mutating func flowEvent(_ index: Int, frame: Int, pts: Double, seconds: Double) -> Event {
        let counts = counters[index].takeCounts()
        let definition = lines[index].definition
        func byClass(_ towardsB: Bool) -> JSONValue {
            var object: [String: JSONValue] = [:]
            for objectClass in ObjectClass.allCases { object[objectClass.rawValue] = .int(Int64(counts[towardsB]?[objectClass] ?? 0)) }
            return .object(object)
        }
        var data: [String: JSONValue] = ["seconds": .double(Self.round(seconds)),
                                         "counts": .object([definition.aToBName: byClass(true), definition.bToAName: byClass(false)])]
        if ground != nil {
            // Mean ground speed per direction over the interval; null when nothing crossed.
            func mean(_ speeds: [Double]) -> JSONValue { speeds.isEmpty ? .null : .double((speeds.reduce(0, +) / Double(speeds.count) * 10).rounded() / 10) }
            data["mean_speed_kmh"] = .object([definition.aToBName: mean(flowSpeeds[index].towardsB), definition.bToAName: mean(flowSpeeds[index].towardsA)])
            flowSpeeds[index] = ([], [])
        }
        return Event(type: .trafficFlow, camera: camera, frame: frame, pts: Self.round(pts), line: definition.id, data: data)
    }

    private mutating func observeZone(_ index: Int, tracks: [Track], frame: Int, pts: Double, width: Double, height: Double,
                                      boxOf: (Box) -> [Double]) -> [Event] {
        let zone = zones[index]
        var state = zoneStates[index]
        defer { zoneStates[index] = state }
        var events: [Event] = []
        var present: Set<Int> = []
        var intruders: [(track: Track, pts: Double, frame: Int)] = []
        for track in tracks where track.isConfirmed {
            let anchor = Point(x: track.anchor.x / width, y: track.anchor.y / height)
            // A coasting track stays where it was last measured (its prediction may run on
            // into a zone the object never entered).
            if track.isCoasting {
                if state.insideSince[track.id] != nil { present.insert(track.id) }
                continue
            }
            guard zone.polygon.contains(anchor) else { continue }
            present.insert(track.id)
            let entered = state.insideSince[track.id] ?? (pts, frame)
            state.insideSince[track.id] = entered
            let since = entered.pts
            guard pts - since >= settings.enterSeconds else { continue }
            if let classes = zone.intrusionClasses, classes.contains(track.objectClass) { intruders.append((track, entered.pts, entered.frame)) }
            if let limit = zone.loiteringSeconds, pts - since >= limit, state.loitering[track.id] == nil {
                state.loitering[track.id] = (frame, pts)
                events.append(Event(type: .loitering, camera: camera, frame: frame, pts: Self.round(pts), state: .start, zone: zone.id,
                                    track: track.id, objectClass: Event.ObjectClass(track.objectClass), bbox: boxOf(track.box),
                                    data: ["seconds": .double(Self.round(pts - since))]))
            }
        }
        events += trafficRules(zone: zone, state: &state, tracks: tracks, present: present, frame: frame, pts: pts,
                               width: width, height: height, boxOf: boxOf)
        // Tracks that left (or vanished) stop being inside; their loitering ends.
        for id in state.insideSince.keys where !present.contains(id) { state.insideSince[id] = nil }
        for (id, start) in state.loitering.sorted(by: { $0.key < $1.key }) where !present.contains(id) {
            state.loitering[id] = nil
            events.append(Event(type: .loitering, camera: camera, frame: frame, pts: Self.round(pts), state: .end, zone: zone.id,
                                track: id, data: ["seconds": .double(Self.round(pts - start.startPTS))]))
        }
        if zone.intrusionClasses != nil {
            let armed = zone.intrusionArmed()
            if !intruders.isEmpty && armed {
                state.lastIntruderAt = pts
                state.intrusionTracks.formUnion(intruders.map(\.track.id))
                if !state.intrusionActive && pts - state.intrusionEndedAt >= settings.cooldownSeconds {
                    state.intrusionActive = true
                    // Reported at the moment the first intruder entered, not when it was confirmed.
                    let first = intruders.min { ($0.pts, $0.track.id) < ($1.pts, $1.track.id) }!
                    events.append(Event(type: .intrusion, camera: camera, frame: first.frame, pts: Self.round(first.pts), state: .start, zone: zone.id,
                                        track: first.track.id, objectClass: Event.ObjectClass(first.track.objectClass), bbox: boxOf(first.track.box)))
                }
            } else if state.intrusionActive && pts - state.lastIntruderAt >= settings.intrusionEndSeconds {
                zoneStates[index] = state
                events.append(intrusionEnd(index, frame: frame, pts: pts))
                state = zoneStates[index]
            }
        }
        return events
    }

    /// Stopped vehicles, wrong-way travel and congestion among the measured tracks inside.
    private func trafficRules(zone: Zone, state: inout ZoneState, tracks: [Track], present: Set<Int>, frame: Int, pts: Double,
                              width: Double, height: Double, boxOf: (Box) -> [Double]) -> [Event] {
        // The allowed direction is given in normalized coordinates; velocities are in pixels.
        let allowedPixels = zone.allowedDirection.map { Point(x: $0.x * width, y: $0.y * height) }
        var events: [Event] = []
        var vehicles = 0, speedSum = 0.0
        for track in tracks where present.contains(track.id) && !track.isCoasting && track.objectClass != .person {
            let length = max(1, max(track.box.width, track.box.height))
            let relativeSpeed = track.speed / length
            if track.objectClass == .vehicle { vehicles += 1; speedSum += relativeSpeed }
            if let seconds = zone.stoppedSeconds, track.objectClass == .vehicle {
                if relativeSpeed < settings.stillSpeed {
                    let since = state.stillSince[track.id] ?? pts
                    state.stillSince[track.id] = since
                    if pts - since >= seconds && state.stopped[track.id] == nil {
                        state.stopped[track.id] = since
                        events.append(Event(type: .stoppedVehicle, camera: camera, frame: frame, pts: Self.round(pts), state: .start, zone: zone.id,
                                            track: track.id, objectClass: .vehicle, bbox: boxOf(track.box),
                                            data: ["seconds": .double(Self.round(pts - since))]))
                    }
                } else if relativeSpeed > settings.movingSpeed {
                    state.stillSince[track.id] = nil
                    if let since = state.stopped.removeValue(forKey: track.id) {
                        events.append(Event(type: .stoppedVehicle, camera: camera, frame: frame, pts: Self.round(pts), state: .end, zone: zone.id,
                                            track: track.id, data: ["seconds": .double(Self.round(pts - since))]))
                    }
                }
            }
            if let allowed = allowedPixels, state.wrongWay.contains(track.id) == false {
                let dot = track.velocity.x * allowed.x + track.velocity.y * allowed.y
                let norm = (allowed.x * allowed.x + allowed.y * allowed.y).squareRoot() * max(track.speed, 1e-9)
                if relativeSpeed > settings.movingSpeed && dot / norm < -0.5 {
                    let since = state.againstSince[track.id] ?? pts
                    state.againstSince[track.id] = since
                    if pts - since >= zone.wrongWaySeconds {
                        state.wrongWay.insert(track.id)
                        events.append(Event(type: .wrongWay, camera: camera, frame: frame, pts: Self.round(pts), state: .start, zone: zone.id,
                                            track: track.id, objectClass: Event.ObjectClass(track.objectClass), bbox: boxOf(track.box)))
                    }
                } else {
                    state.againstSince[track.id] = nil
                }
            }
        }
        if let seconds = zone.abandonedSeconds {
            events += abandonedObjects(zone: zone, seconds: seconds, state: &state, tracks: tracks, present: present, frame: frame, pts: pts, boxOf: boxOf)
        }
        // Tracks gone from the zone end their stop and wrong-way events.
        for id in state.stillSince.keys where !present.contains(id) { state.stillSince[id] = nil }
        for id in state.againstSince.keys where !present.contains(id) { state.againstSince[id] = nil }
        for (id, since) in state.stopped.sorted(by: { $0.key < $1.key }) where !present.contains(id) {
            state.stopped[id] = nil
            events.append(Event(type: .stoppedVehicle, camera: camera, frame: frame, pts: Self.round(pts), state: .end, zone: zone.id,
                                track: id, data: ["seconds": .double(Self.round(pts - since))]))
        }
        for id in state.wrongWay.sorted() where !present.contains(id) {
            state.wrongWay.remove(id)
            events.append(Event(type: .wrongWay, camera: camera, frame: frame, pts: Self.round(pts), state: .end, zone: zone.id, track: id))
        }
        if let rule = zone.congestion {
            let meanSpeed = vehicles > 0 ? speedSum / Double(vehicles) : 0
            let jammed = vehicles >= rule.vehicles && meanSpeed <= rule.speed
            if !state.congestionActive {
                if state.congested.held(jammed, at: pts, for: rule.seconds) {
                    state.congestionActive = true
                    state.congestionStart = pts
                    state.clearing.reset()
                    events.append(Event(type: .congestion, camera: camera, frame: frame, pts: Self.round(pts), state: .start, zone: zone.id,
                                        data: ["vehicles": .int(Int64(vehicles)), "mean_speed": .double(Self.round(meanSpeed))]))
                }
            } else if state.clearing.held(!jammed, at: pts, for: settings.congestionEndSeconds) {
                state.congestionActive = false
                state.congested.reset()
                events.append(Event(type: .congestion, camera: camera, frame: frame, pts: Self.round(pts), state: .end, zone: zone.id,
                                    data: ["seconds": .double(Self.round(pts - state.congestionStart))]))
            }
        }
        return events
    }

    /// A new static object: a track that is not a person, still for `seconds`, with no
    /// person within three of its own sizes during that time (someone standing by their
    /// bag has not abandoned it). Ends when the object is taken away (its track ends or moves).
    private func abandonedObjects(zone: Zone, seconds: Double, state: inout ZoneState, tracks: [Track], present: Set<Int>,
                                  frame: Int, pts: Double, boxOf: (Box) -> [Double]) -> [Event] {
        var events: [Event] = []
        // Only people actually seen this frame: a coasting track's position is a guess.
        let people = tracks.filter { $0.isConfirmed && !$0.isCoasting && $0.objectClass == .person }
        for track in tracks where present.contains(track.id) {
            if track.isCoasting { continue }
            // Something person-sized standing there is a person (perhaps with their bag), not
            // a left object: taller than 1.3 × its width, as a bag or a box rarely is.
            guard track.box.height <= 1.3 * track.box.width else { state.unattendedSince[track.id] = nil; continue }
            let size = max(1, max(track.box.width, track.box.height))
            let still = track.speed / size < settings.stillSpeed
            let anchor = track.anchor
            let attended = people.contains { person in
                let dx = person.anchor.x - anchor.x, dy = person.anchor.y - anchor.y
                return person.id != track.id && (dx * dx + dy * dy).squareRoot() < 3 * max(size, person.box.height / 2)
            }
            if still && !attended {
                let since = state.unattendedSince[track.id] ?? pts
                state.unattendedSince[track.id] = since
                // The clock runs from when it was left; the class is checked when raising, since a
                // track the owner leaves on the bag takes a moment to stop voting "person".
                if pts - since >= seconds && state.abandoned[track.id] == nil && track.objectClass != .person {
                    state.abandoned[track.id] = since
                    events.append(Event(type: .abandonedObject, camera: camera, frame: frame, pts: Self.round(pts), state: .start, zone: zone.id,
                                        track: track.id, objectClass: Event.ObjectClass(track.objectClass), bbox: boxOf(track.box),
                                        data: ["seconds": .double(Self.round(pts - since))]))
                }
            } else if !still || state.abandoned[track.id] == nil {
                // Moving, or attended before it was ever raised: start the clock again.
                state.unattendedSince[track.id] = nil
                if !still, let since = state.abandoned.removeValue(forKey: track.id) {
                    events.append(Event(type: .abandonedObject, camera: camera, frame: frame, pts: Self.round(pts), state: .end, zone: zone.id,
                                        track: track.id, data: ["seconds": .double(Self.round(pts - since))]))
                }
            }
        }
        for id in state.unattendedSince.keys where !present.contains(id) { state.unattendedSince[id] = nil }
        for (id, since) in state.abandoned.sorted(by: { $0.key < $1.key }) where !present.contains(id) {
            state.abandoned[id] = nil
            events.append(Event(type: .abandonedObject, camera: camera, frame: frame, pts: Self.round(pts), state: .end, zone: zone.id,
                                track: id, data: ["seconds": .double(Self.round(pts - since))]))
        }
        return events
    }

    private mutating func intrusionEnd(_ index: Int, frame: Int, pts: Double) -> Event {
        var state = zoneStates[index]
        let event = Event(type: .intrusion, camera: camera, frame: frame, pts: Self.round(pts), state: .end, zone: zones[index].id,
                          data: ["tracks": .int(Int64(state.intrusionTracks.count))])
        state.intrusionActive = false
        state.intrusionEndedAt = pts
        state.intrusionTracks = []
        zoneStates[index] = state
        return event
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
