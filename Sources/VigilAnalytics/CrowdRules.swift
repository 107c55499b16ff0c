import VigilEvents
import VigilVision

/// Crowd events for one zone (or the whole frame) from its per-frame people estimate:
/// - `crowd_level` when the smoothed count crosses a level: up at the level, down only
///   below 85 % of it, and never sooner than `dwellSeconds` after the last change;
/// - `crowd_gathering` when the count rises by `gatheringRise` within `gatheringSeconds`;
/// - `crowd_running` when, with at least `runningMinimumPeople` present, the people tracked
///   in the zone move at `runningSpeed` person-heights a second or more and at least twice
///   the zone's usual pace, for a second.
public struct CrowdZoneRule: Sendable {
    public var zone: String?
    /// Ascending thresholds, in people (or people per m² when `areaSquareMetres` is set).
    public var levels: [Double]
    public var areaSquareMetres: Double?
    public var dwellSeconds = 5.0
    public var gatheringRise: Double?
    public var gatheringSeconds = 30.0
    public var runningSpeed: Double?
    public var runningMinimumPeople = 5.0
    /// Time constant of the smoothing of the per-frame estimate.
    public var smoothingSeconds = 1.0

    public private(set) var smoothed: Double?
    public private(set) var level = 0
    private var lastChange = -Double.infinity
    private var lastPTS: Double?
    private var history: [(pts: Double, people: Double)] = []
    private var lastGathering = -Double.infinity
    private var usualPace: Double?
    private var running = Debounce()
    private var lastRunning = -Double.infinity

    public init(zone: String?, levels: [Double], areaSquareMetres: Double? = nil) {
        self.zone = zone
        self.levels = levels
        self.areaSquareMetres = areaSquareMetres
    }

    /// Feeds one frame: the raw people estimate and the speeds (person-heights per second)
    /// of the measured tracks in the zone. Returns the events it raised.
    public mutating func observe(people raw: Double, speeds: [Double], camera: String, frame: Int, pts: Double) -> [Event] {
        var events: [Event] = []
        let dt = lastPTS.map { max(0, pts - $0) } ?? 0
        lastPTS = pts
        let alpha = smoothed == nil ? 1 : min(1, dt / max(smoothingSeconds, 1e-6))
        let people = (smoothed ?? raw) + alpha * (raw - (smoothed ?? raw))
        smoothed = people
        let measure = areaSquareMetres.map { people / $0 } ?? people
        var data: [String: JSONValue] = ["people": .double(Self.round(people))]
        if let areaSquareMetres { data["per_square_metre"] = .double(Self.round(people / areaSquareMetres, 3)) }

        // Levels: the highest level reached, with hysteresis and a minimum dwell.
        var target = level
        while target < levels.count && measure >= levels[target] { target += 1 }
        while target > 0 && measure < 0.85 * levels[target - 1] { target -= 1 }
        if target != level && pts - lastChange >= dwellSeconds {
            var levelData = data
            levelData["level"] = .int(Int64(target))
            levelData["previous_level"] = .int(Int64(level))
            if target > 0 { levelData["threshold"] = .double(levels[target - 1]) }
            level = target
            lastChange = pts
            events.append(Event(type: .crowdLevel, camera: camera, frame: frame, pts: Self.round(pts), zone: zone, data: levelData))
        }

        // Gathering: the rise over the window, from the lowest count in it. The smoothed count
        // changes slowly, so a sample every half second keeps the window short to scan.
        if let rise = gatheringRise {
            if pts - (history.last?.pts ?? -Double.infinity) >= 0.5 { history.append((pts, people)) }
            while let first = history.first, pts - first.pts > gatheringSeconds { history.removeFirst() }
            if let lowest = history.min(by: { $0.people < $1.people }),
               people - lowest.people >= rise, pts - lastGathering >= gatheringSeconds {
            lastGathering = pts
            var gatheringData = data
            gatheringData["rise"] = .double(Self.round(people - lowest.people))
            gatheringData["seconds"] = .double(Self.round(pts - lowest.pts))
            events.append(Event(type: .crowdGathering, camera: camera, frame: frame, pts: Self.round(pts), zone: zone, data: gatheringData))
            }
        }

        // Running: a crowded zone whose people suddenly move much faster than usual.
        if let threshold = runningSpeed {
            let pace = speeds.isEmpty ? nil : speeds.reduce(0, +) / Double(speeds.count)
            let usual = usualPace ?? pace ?? 0
            let fast = pace.map { $0 >= threshold && $0 >= 2 * max(usual, 0.1) } ?? false
            if running.held(fast && people >= runningMinimumPeople, at: pts, for: 1), pts - lastRunning >= 30 {
                lastRunning = pts
                var runningData = data
                runningData["speed"] = .double(Self.round(pace ?? 0))
                runningData["usual_speed"] = .double(Self.round(usual))
                events.append(Event(type: .crowdRunning, camera: camera, frame: frame, pts: Self.round(pts), zone: zone, data: runningData))
            }
            // The usual pace follows slowly (30 s), and not while people run.
            if let pace, !fast { usualPace = usual + min(1, dt / 30) * (pace - usual) }
        }
        return events
    }

    static func round(_ value: Double, _ places: Int = 2) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}
