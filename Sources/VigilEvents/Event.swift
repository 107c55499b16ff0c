/// The kinds of event Vigil emits. The raw value is the `type` field on the wire.
public enum EventType: String, Sendable, Codable, CaseIterable {
    case motion
    case lineCrossing = "line_crossing"
    case trafficFlow = "traffic_flow"
    case congestion
    case stoppedVehicle = "stopped_vehicle"
    case wrongWay = "wrong_way"
    case intrusion
    case loitering
    case abandonedObject = "abandoned_object"
    case crowdLevel = "crowd_level"
    case crowdGathering = "crowd_gathering"
    case crowdRunning = "crowd_running"
    case tamper
    case cameraOffline = "camera_offline"
    case cameraOnline = "camera_online"
    /// Raised by a person or another system through `vigil queue append`.
    case manual
    /// An operator acknowledged an earlier event (`data.acknowledges` = its offset, `data.user`,
    /// optional `data.note`): the console's audit trail, as durable as the alarms.
    case acknowledgement
    /// Someone changed a camera's settings in the console's editor (`data.user`, `data.version`,
    /// `data.backup`): who changed what, kept with the events it affects.
    case configChange = "config_change"
    /// An event clip is finished (`clip`, `clip_state` ready or failed, `data.events` = the ids
    /// of the events it shows): the events that named it while it was recording can be played.
    case clipReady = "clip_ready"

    /// Events that last: they come as a `start` and a later `end`.
    public var isDurational: Bool {
        switch self {
        case .motion, .congestion, .stoppedVehicle, .wrongWay, .intrusion, .loitering, .abandonedObject, .tamper: return true
        default: return false
        }
    }

    /// Events a zone rule raises, which must name the zone.
    public var requiresZone: Bool {
        switch self {
        case .congestion, .stoppedVehicle, .wrongWay, .intrusion, .loitering, .abandonedObject,
             .crowdLevel, .crowdGathering, .crowdRunning: return true
        default: return false
        }
    }

    public var requiresLine: Bool { self == .lineCrossing || self == .trafficFlow }
}

/// One event, as producers build it and as consumers read it back. On the wire it is
/// one JSON object per line; `offset` is given by the queue when it is appended.
public struct Event: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable { case start, end }
    public enum ObjectClass: String, Sendable, Codable { case person, vehicle, unknown }
    /// Where the event's clip is: still being written, playable, or given up (full disk).
    public enum ClipState: String, Sendable, Codable { case recording, ready, failed }

    /// Version of this format.
    public var v: Int = 1
    /// Position in the queue: gap-free and increasing. Nil until appended.
    public var offset: UInt64?
    public var id: String
    public var type: EventType
    public var camera: String
    /// The host whose worker raised it, in a fleet of hosts sharing one config.
    public var site: String?
    /// Wall-clock time, ISO 8601 UTC with milliseconds.
    public var time: String
    /// 0-based index of the source frame, and its presentation time in seconds.
    public var frame: Int?
    public var pts: Double?
    public var state: State?
    public var zone: String?
    public var line: String?
    public var direction: String?
    public var track: Int?
    public var objectClass: ObjectClass?
    /// [x, y, width, height], normalized 0…1.
    public var bbox: [Double]?
    /// Path of the snapshot image, relative to the queue folder.
    public var snapshot: String?
    /// Path of the event's video clip, relative to the queue folder (or to `--clips-out`).
    public var clip: String?
    public var clipState: ClipState?
    /// Type-specific measurements (counts, speeds, levels…).
    public var data: [String: JSONValue]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case v, offset, id, type, camera, site, time, frame, pts, state, zone, line, direction, track
        case objectClass = "class"
        case bbox, snapshot, clip
        case clipState = "clip_state"
        case data

        static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
    }

    /// Set to true in a decoder's `userInfo` to refuse fields the schema does not define,
    /// as `vigil queue append` does; records read back from the queue are decoded leniently.
    public static let rejectUnknownFields = CodingUserInfoKey(rawValue: "vigil.rejectUnknownFields")!

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Producers may leave out `v`, `id` and `time`: they get version 1, a fresh id and now.
    public init(from decoder: Decoder) throws {
        if decoder.userInfo[Self.rejectUnknownFields] as? Bool == true {
            // crc32c is in the schema: a line copied from a segment may be appended again.
            let unknown = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
                .filter { CodingKeys(rawValue: $0) == nil && $0 != "crc32c" }.sorted()
            if let first = unknown.first {
                throw EventValidationError(field: first, message: "is not a field of a Vigil event (the schema allows no others: \(CodingKeys.allNames))")
            }
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        v = try container.decodeIfPresent(Int.self, forKey: .v) ?? 1
        offset = try container.decodeIfPresent(UInt64.self, forKey: .offset)
        id = try container.decodeIfPresent(String.self, forKey: .id) ?? EventID.make()
        type = try container.decode(EventType.self, forKey: .type)
        camera = try container.decode(String.self, forKey: .camera)
        site = try container.decodeIfPresent(String.self, forKey: .site)
        time = try container.decodeIfPresent(String.self, forKey: .time) ?? UTCTime.now()
        frame = try container.decodeIfPresent(Int.self, forKey: .frame)
        pts = try container.decodeIfPresent(Double.self, forKey: .pts)
        state = try container.decodeIfPresent(State.self, forKey: .state)
        zone = try container.decodeIfPresent(String.self, forKey: .zone)
        line = try container.decodeIfPresent(String.self, forKey: .line)
        direction = try container.decodeIfPresent(String.self, forKey: .direction)
        track = try container.decodeIfPresent(Int.self, forKey: .track)
        objectClass = try container.decodeIfPresent(ObjectClass.self, forKey: .objectClass)
        bbox = try container.decodeIfPresent([Double].self, forKey: .bbox)
        snapshot = try container.decodeIfPresent(String.self, forKey: .snapshot)
        clip = try container.decodeIfPresent(String.self, forKey: .clip)
        clipState = try container.decodeIfPresent(ClipState.self, forKey: .clipState)
        data = try container.decodeIfPresent([String: JSONValue].self, forKey: .data)
    }

    public init(id: String = EventID.make(), type: EventType, camera: String, time: String = UTCTime.now(),
                frame: Int? = nil, pts: Double? = nil, state: State? = nil, zone: String? = nil, line: String? = nil,
                direction: String? = nil, track: Int? = nil, objectClass: ObjectClass? = nil, bbox: [Double]? = nil,
                snapshot: String? = nil, clip: String? = nil, clipState: ClipState? = nil, data: [String: JSONValue]? = nil) {
        self.id = id; self.type = type; self.camera = camera; self.time = time
        self.frame = frame; self.pts = pts; self.state = state; self.zone = zone; self.line = line
        self.direction = direction; self.track = track; self.objectClass = objectClass; self.bbox = bbox
        self.snapshot = snapshot; self.clip = clip; self.clipState = clipState; self.data = data
    }
}
