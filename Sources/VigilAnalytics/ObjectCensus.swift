import VigilVision

/// How many objects of each class stand in the frame and in each zone: what congestion,
/// overcrowding and the operator's screens show (`--frames-out` `objects` and `zone_objects`).
///
/// An object is a confirmed track, placed where it touches the ground (its last measured
/// box's bottom centre, the point the zone rules test). A coasting track still counts, at
/// its last measured place: a car hidden in a queue or merged with its neighbour has not
/// left, and a track is dropped once it has been missing too long.
public struct ObjectCensus: Sendable {
    /// One object as the census sees it: its class and its ground point in normalized
    /// frame coordinates (0…1).
    public struct Object: Sendable, Equatable {
        public var objectClass: ObjectClass
        public var anchor: Point
        public init(objectClass: ObjectClass, anchor: Point) {
            self.objectClass = objectClass
            self.anchor = anchor
        }
    }

    /// Counts by class; every class is always present, so a dashboard reads fixed keys.
    public struct Counts: Sendable, Equatable, Codable {
        public var person = 0, vehicle = 0, unknown = 0
        public init(person: Int = 0, vehicle: Int = 0, unknown: Int = 0) {
            self.person = person; self.vehicle = vehicle; self.unknown = unknown
        }
        public var total: Int { person + vehicle + unknown }
        mutating func add(_ objectClass: ObjectClass) {
            switch objectClass {
            case .person: person += 1
            case .vehicle: vehicle += 1
            case .unknown: unknown += 1
            }
        }
    }

    public let zones: [(id: String, polygon: Polygon)]
    /// The last census: the whole frame, and each zone in the order given.
    public private(set) var frame = Counts()
    public private(set) var perZone: [Counts]

    public init(zones: [(id: String, polygon: Polygon)]) {
        self.zones = zones
        perZone = [Counts](repeating: Counts(), count: zones.count)
    }

    /// Counts `objects`; an object on a zone's edge is in it if the polygon says so.
    public mutating func count(_ objects: [Object]) {
        clear()
        for object in objects { add(object.objectClass, at: object.anchor) }
    }

    /// Counts the confirmed tracks of a frame `width` × `height` analysis pixels (every
    /// frame, without building a list).
    public mutating func count(tracks: [Track], width: Int, height: Int) {
        clear()
        guard width > 0 && height > 0 else { return }
        for track in tracks where track.isConfirmed {
            add(track.objectClass, at: Point(x: track.anchor.x / Double(width), y: track.anchor.y / Double(height)))
        }
    }

    private mutating func clear() {
        frame = Counts()
        for index in perZone.indices { perZone[index] = Counts() }
    }

    private mutating func add(_ objectClass: ObjectClass, at anchor: Point) {
        frame.add(objectClass)
        for (index, zone) in zones.enumerated() where zone.polygon.contains(anchor) {
            perZone[index].add(objectClass)
        }
    }
}
