import VigilEvents
import VigilVision

/// `congestion` for one zone: at least `vehicles` vehicles measured inside at a mean speed of
/// at most `speed` of their own lengths per second, held for `seconds`, starts it; the
/// condition false for `endSeconds` ends it.
public struct CongestionWatch: Sendable {
    public let camera: String, zone: String
    public let vehicles: Int, speed: Double, seconds: Double
    private(set) var active = false
    private var start = 0.0
    private var congested = Debounce()
    private var clearing = Debounce()

    public init(camera: String, zone: String, vehicles: Int, speed: Double, seconds: Double) {
        self.camera = camera; self.zone = zone; self.vehicles = vehicles; self.speed = speed; self.seconds = seconds
    }

    /// `measured`: the tracks measured inside the zone this frame.
    public mutating func observe(_ measured: [TrackSnapshot], frame: Int, pts: Double, endSeconds: Double) -> [Event] {
        var count = 0, speedSum = 0.0
        for track in measured where track.objectClass == .vehicle {
            count += 1
            speedSum += track.relativeSpeed
        }
        let meanSpeed = count > 0 ? speedSum / Double(count) : 0
        let jammed = count >= vehicles && meanSpeed <= speed
        if !active {
            if congested.held(jammed, at: pts, for: seconds) {
                active = true
                start = pts
                clearing.reset()
                return [Event(type: .congestion, camera: camera, frame: frame, pts: TrackRules.round(pts), state: .start, zone: zone,
                              data: ["vehicles": .int(Int64(count)), "mean_speed": .double(TrackRules.round(meanSpeed))])]
            }
        } else if clearing.held(!jammed, at: pts, for: endSeconds) {
            active = false
            congested.reset()
            return [end(frame: frame, pts: pts)]
        }
        return []
    }

    public mutating func finish(frame: Int, pts: Double) -> [Event] {
        defer { self = CongestionWatch(camera: camera, zone: zone, vehicles: vehicles, speed: speed, seconds: seconds) }
        return active ? [end(frame: frame, pts: pts)] : []
    }

    private func end(frame: Int, pts: Double) -> Event {
        Event(type: .congestion, camera: camera, frame: frame, pts: TrackRules.round(pts), state: .end, zone: zone,
              data: ["seconds": .double(TrackRules.round(pts - start))])
    }
}
