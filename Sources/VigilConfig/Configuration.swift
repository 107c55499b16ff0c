/// The whole Vigil configuration: one YAML file for the queue and every camera.
/// Coordinates are normalized (0…1 across and down the picture) so they survive
/// a change of stream resolution.
public struct VigilConfiguration: Sendable, Equatable {
    public var queue: QueueSettings?
    public var cameras: [CameraSettings]
    public var service = ServiceSettings()
    /// The operator console (`console:`); nil when the file has no such section.
    public var console: ConsoleSettings?
    /// Forwarding of this host's queue into PostgreSQL (`forward:`); nil when the file has no such section.
    public var forward: ForwardSettings?

    public func camera(_ id: String) -> CameraSettings? { cameras.first { $0.id == id } }

    /// The metrics port of the camera at `index`: its own `metrics_port`, else the service's
    /// port plus its position; 0 (no server) when the service's port is 0.
    public func metricsPort(forCameraAt index: Int) -> Int {
        cameras[index].metricsPort ?? (service.metricsPort == 0 ? 0 : service.metricsPort + index)
    }
}

/// How live workers run: where they report their state, metrics, logs and reconnects.
public struct ServiceSettings: Sendable, Equatable {
    public enum LogFormat: String, Sendable, Equatable, CaseIterable { case human, json }
    /// Folder for each worker's state file (`vigil status` reads it); relative to the config file.
    public var stateDirectory = "vigil-state"
    /// Metrics and health are served here; the camera at position i uses port + i unless it names its own.
    public var metricsHost = "127.0.0.1"
    public var metricsPort = 9400
    public var logFormat = LogFormat.human
    public var logLevel = "info"
    /// A source lost this long raises `camera_offline` (shorter blips only count as reconnects).
    public var offlineAfter = 10.0
    /// Reconnect delays double from the first to the longest, with jitter.
    public var reconnectFirst = 0.5
    public var reconnectLongest = 30.0
    /// A read that blocks this long means the source has stalled.
    public var readTimeout = 10.0
    public init() {}
}

/// The operator console's web server (`vigil console`, or `vigil run` when the section is there).
public struct ConsoleSettings: Sendable, Equatable {
    public enum Language: String, Sendable, Equatable, CaseIterable { case vi, en }
    /// Loopback by default: any other address needs `users_file`.
    public var host = "127.0.0.1"
    public var port = 8080
    public var language = Language.vi
    /// IANA time zone the page shows times in and reads search times in.
    public var timeZone = "Asia/Ho_Chi_Minh"
    /// YAML list of users with salted password hashes (`vigil console passwd` writes it); relative to the config file.
    public var usersFile: String?
    /// The search index (SQLite); rebuilt from the queue when missing. Nil: `console-index.sqlite`
    /// in the state folder (the console resolves it, since the state folder is a service setting).
    public var indexPath: String?
    /// A signed-in session ends after this long without a request.
    public var sessionIdleMinutes = 720.0
    public init() {}
}

/// The city-wide event store: `vigil forward` (or `vigil run` when the section is there) copies
/// every event of the local queue into PostgreSQL.
public struct ForwardSettings: Sendable, Equatable {
    public enum TLSMode: String, Sendable, Equatable, CaseIterable { case disable, prefer, require }
    public enum Method: String, Sendable, Equatable, CaseIterable { case copy, unnest }
    /// `postgresql://USER@HOST:PORT/DATABASE`; parts left out come from the `PG*` variables
    /// (PGHOST, PGPORT, PGUSER, PGDATABASE), then from PostgreSQL's own defaults.
    public var url: String?
    /// A file holding the password (one line); relative to the config file. Without it, PGPASSWORD.
    public var passwordFile: String?
    public var tls = TLSMode.prefer
    /// The name this host's events carry in the store (nil: the `--host` name, else the machine's).
    public var site: String?
    /// Events per transaction.
    public var batch = 2000
    /// How a batch travels: COPY into a staging table, or one INSERT with array parameters.
    public var method = Method.unnest
    /// Prometheus metrics of the forwarder (0: none).
    public var metricsPort = 0
    /// How often the cameras' state is written to `vigil_cameras`.
    public var cameraStateSeconds = 5.0
    public init() {}
}

public struct QueueSettings: Sendable, Equatable {
    public enum FsyncPolicy: String, Sendable, Equatable, CaseIterable { case always, interval }
    public var path: String
    public var fsync: FsyncPolicy
    /// A new segment starts past this size.
    public var segmentMiB: Int = 64
    /// Segments whose last record is older than this are removed (nil: kept).
    public var retainHours: Double?
    /// Oldest segments are removed while the queue is larger than this (nil: no limit).
    public var retainGiB: Double?
}

public struct CameraSettings: Sendable, Equatable {
    public var id: String
    /// Operator's name for the camera on the console (nil: the id).
    public var name: String? = nil
    /// Camera group on the console's wall (a district, a site).
    public var group: String? = nil
    /// The host that runs this camera when one config serves several (`vigil run --host`); nil: every host.
    public var host: String? = nil
    /// File path or stream URL; may hold credentials, so never print it raw. With a dual-stream
    /// camera (`source: { analysis: …, record: … }`) the stream that is decoded and analysed.
    public var source: String
    /// A dual-stream camera's main stream: event clips copy its packets, which are never
    /// decoded (nil: clips copy `source`).
    public var recordSource: String? = nil
    public var analysis: AnalysisSettings
    public var perspective: Perspective?
    /// Path of an optional calibrated model file.
    public var model: String?
    /// Ground calibration: four image points (normalized) and where they are on the ground
    /// (metres, any origin), for speeds in km/h.
    public var groundImage: [NormalizedPoint]? = nil
    public var groundMetres: [NormalizedPoint]? = nil
    /// Object-class thresholds (Models/classes.json format); nil = the shipped default.
    public var classesModel: String?
    public var zones: [ZoneSettings]
    public var lines: [LineSettings]
    /// Areas where motion is never reported.
    public var motionIgnore: [[NormalizedPoint]] = []
    /// Camera tamper checks (covered, defocused, moved): on unless `tamper: { enabled: false }`;
    /// a condition must persist this many seconds.
    public var tamperEnabled = true
    public var tamperSeconds = 3.0
    /// Cut blobs of several people side by side into one track each (`tracking.split_groups`;
    /// needs `perspective`).
    public var splitGroups = false
    /// Cut blobs several vehicles long or wide into one track each, by the object size learned
    /// where they lie (`tracking.split_vehicles`; for road cameras).
    public var splitVehicles = false
    /// Remove cast shadows on textured ground from the motion mask (`motion.shadows`).
    public var suppressShadows = false
    /// The background model (`motion.model`: consensus or adaptive); nil = the default.
    public var motionModel: String?
    /// The consensus model's threshold (`motion.threshold`): grey levels a pixel must differ
    /// from its background samples to count as moving; nil = the model's own
    /// (`MotionSettings.sampleDistance`). Lower for fog and low contrast, higher for a noisy picture.
    public var motionThreshold: Int? = nil
    /// The values `motion.threshold` accepts.
    public static let motionThresholds = 4...80
    /// How many times its threshold the consensus model may raise a pixel's where the
    /// background itself moves (`motion.threshold_rise`); nil = the model's own
    /// (`MotionSettings.largestThresholdFactor`). Lower for a road with no trees or water in
    /// view, where only traffic moves.
    public var motionThresholdRise: Double? = nil
    /// The values `motion.threshold_rise` accepts.
    public static let motionThresholdRises = 1.0...5.0
    /// The names `motion.model` accepts: VigilVision's `MotionModelKind` cases (this module
    /// does not see that type; a test keeps the two lists equal).
    public static let motionModels = ["consensus", "adaptive"]
    /// This camera's metrics port, instead of the service's port + its position.
    public var metricsPort: Int? = nil
    /// RTSP lower transport: auto (default: TCP, which survives NAT and loss, then UDP when the
    /// server refuses TCP), tcp, or udp.
    public var rtspTransport = "auto"
    /// Event clips; nil (no `clips:` in the camera's settings) records none.
    public var clips: ClipSettings? = nil
}

public struct AnalysisSettings: Sendable, Equatable {
    /// Frames per second analysed; nil analyses every frame.
    public var fps: Double?
    /// Width of the analysis frame in pixels.
    public var width: Int
    public static let defaultWidth = 480
}

/// How tall a person appears at two heights in the picture; in between, linear.
public struct Perspective: Sendable, Equatable {
    public struct Reference: Sendable, Equatable {
        public var y: Double
        public var personHeight: Double
    }
    public var near: Reference
    public var far: Reference

}

public struct NormalizedPoint: Sendable, Equatable {
    public var x: Double
    public var y: Double
}

public struct ZoneSettings: Sendable, Equatable {
    public var id: String
    public var polygon: [NormalizedPoint]
    public var crowd: CrowdRule?
    public var intrusion: IntrusionRule?
    public var loitering: LoiteringRule?
    public var stoppedVehicle: StoppedVehicleRule? = nil
    public var wrongWay: WrongWayRule? = nil
    public var congestion: CongestionRule? = nil
    /// Seconds a left object must stay unattended (`abandoned_object: { seconds }`).
    public var abandonedSeconds: Double? = nil
}

/// A vehicle standing still in the zone (a no-stopping area) longer than `seconds`.
public struct StoppedVehicleRule: Sendable, Equatable {
    public var seconds: Double
}

/// Sustained motion against the zone's allowed direction (a normalized image vector,
/// e.g. [0, 1] = down the picture) for `seconds`.
public struct WrongWayRule: Sendable, Equatable {
    public var direction: NormalizedPoint
    public var seconds: Double = 1
}

/// The zone holds at least `vehicles` vehicles moving slower than `speed` vehicle
/// lengths per second on average, for `seconds`.
public struct CongestionRule: Sendable, Equatable {
    public var vehicles: Int = 4
    public var speed: Double = 0.5
    public var seconds: Double = 20
}

public struct CrowdRule: Sendable, Equatable {
    public enum Unit: String, Sendable, Equatable { case people, perSquareMetre = "per_square_metre" }
    /// Ascending thresholds at which the crowd level rises (people, or people per m²,
    /// which needs the camera's ground calibration to know the zone's area).
    public var levels: [Double]
    public var unit = Unit.people
    /// Shortest time between two level changes.
    public var dwellSeconds = 5.0
    /// `crowd_gathering`: people added within `gatheringSeconds` (nil: off).
    public var gatheringRise: Double? = nil
    public var gatheringSeconds = 30.0
    /// `crowd_running`: person-heights per second (nil: off), with at least this many people.
    public var runningSpeed: Double? = nil
    public var runningMinimumPeople = 5.0

    public init(levels: [Double]) { self.levels = levels }
}

public struct IntrusionRule: Sendable, Equatable {
    /// Local time window, nil = always.
    public var schedule: DailySchedule?
    public var classes: [String]
}

public struct LoiteringRule: Sendable, Equatable {
    public var seconds: Double
}

/// A daily window such as 22:00-05:00 (may wrap past midnight), in minutes of the day.
public struct DailySchedule: Sendable, Equatable {
    public var startMinute: Int
    public var endMinute: Int

    public func contains(minuteOfDay minute: Int) -> Bool {
        startMinute <= endMinute ? (minute >= startMinute && minute < endMinute) : (minute >= startMinute || minute < endMinute)
    }
}

public struct LineSettings: Sendable, Equatable {
    public var id: String
    public var from: NormalizedPoint
    public var to: NormalizedPoint
    /// Operator's names for crossing from side A to B and back (e.g. "in", "out").
    public var aToBName: String
    public var bToAName: String
    /// Dead band around the line, as a fraction of the frame height: a track's side only
    /// counts once its anchor is this far from the line.
    public var minimumDistance: Double = 0.015
    /// Seconds between `traffic_flow` reports for this line.
    public var flowInterval: Double = 60
    /// Lane names from `from` to `to` (the line cut into equal parts); empty: no lanes.
    public var lanes: [String] = []
}
