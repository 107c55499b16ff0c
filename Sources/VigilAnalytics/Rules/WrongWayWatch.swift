import VigilEvents
import VigilVision

/// `wrong_way` for one zone: a track (not a person) moving faster than `movingSpeed` of its
/// own lengths per second more than 120° away from the allowed direction, for `seconds`,
/// starts it once; leaving the zone or vanishing ends it.
public struct WrongWayWatch: Sendable {
    public let camera: String, zone: String
    /// The allowed direction of travel, a normalized image vector.
    public let allowed: Point
    public let seconds: Double
    private var againstSince = TrackTable<Double>()
    private var wrongWay = TrackSet()

    public init(camera: String, zone: String, allowed: Point, seconds: Double) {
        self.camera = camera; self.zone = zone; self.allowed = allowed; self.seconds = seconds
    }

    /// `measured`: the tracks measured inside the zone this frame, in a `width` × `height` frame.
    public mutating func observe(_ measured: [TrackSnapshot], present: TrackSet, frame: Int, pts: Double, width: Double, height: Double,
                                 movingSpeed: Double, boxOf: (Box) -> [Double]) -> [Event] {
        var events: [Event] = []
        // The allowed direction is normalized; velocities are in pixels.
        let direction = Point(x: allowed.x * width, y: allowed.y * height)
        for track in measured where track.objectClass != .person && !wrongWay.contains(track.id) {
            let dot = track.velocity.x * direction.x + track.velocity.y * direction.y
            let norm = (direction.x * direction.x + direction.y * direction.y).squareRoot() * max(track.speed, 1e-9)
            if track.relativeSpeed > movingSpeed && dot / norm < -0.5 {
                let since = againstSince[track.id] ?? pts
                againstSince[track.id] = since
                if pts - since >= seconds {
                    wrongWay.insert(track.id)
                    events.append(Event(type: .wrongWay, camera: camera, frame: frame, pts: TrackRules.round(pts), state: .start, zone: zone,
                                        track: track.id, objectClass: Event.ObjectClass(track.objectClass), bbox: boxOf(track.reportedBox)))
                }
            } else {
                againstSince[track.id] = nil
            }
        }
        againstSince.keep { id, _ in present.contains(id) }
        for id in wrongWay.keys where !present.contains(id) { events.append(end(id, frame: frame, pts: pts)) }
        wrongWay.keep { id, _ in present.contains(id) }
        return events
    }

    public mutating func finish(frame: Int, pts: Double) -> [Event] {
        defer { againstSince.removeAll(); wrongWay.removeAll() }
        return wrongWay.keys.map { end($0, frame: frame, pts: pts) }
    }

    private func end(_ id: Int, frame: Int, pts: Double) -> Event {
        Event(type: .wrongWay, camera: camera, frame: frame, pts: TrackRules.round(pts), state: .end, zone: zone, track: id)
    }
}
