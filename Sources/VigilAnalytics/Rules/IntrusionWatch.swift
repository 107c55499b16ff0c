import VigilEvents
import VigilVision

/// `intrusion` for one zone: starts when a track of a watched class has been inside (the
/// moment it entered is the event's time), while the schedule arms the rule; ends once the
/// zone has had no intruder for `endSeconds`; a new one cannot start within
/// `cooldownSeconds` of the last end (one incident, one event).
public struct IntrusionWatch: Sendable {
    public let camera: String, zone: String
    public let classes: Set<ObjectClass>
    public let armed: @Sendable () -> Bool
    private(set) var active = false
    private var tracks = TrackSet()
    private var lastIntruderAt = -Double.infinity
    private var endedAt = -Double.infinity

    public init(camera: String, zone: String, classes: Set<ObjectClass>, armed: @escaping @Sendable () -> Bool = { true }) {
        self.camera = camera; self.zone = zone; self.classes = classes; self.armed = armed
    }

    public mutating func observe(_ settled: [ZonePresence.Settled], frame: Int, pts: Double, endSeconds: Double, cooldownSeconds: Double,
                                 boxOf: (Box) -> [Double]) -> [Event] {
        // The first intruder to have entered, found without building a list every frame.
        let armed = self.armed()
        var first: ZonePresence.Settled? = nil
        for entry in settled where classes.contains(entry.track.objectClass) {
            if armed { tracks.insert(entry.track.id) }
            if first.map({ (entry.pts, entry.track.id) < ($0.pts, $0.track.id) }) ?? true { first = entry }
        }
        if let first, armed {
            lastIntruderAt = pts
            if !active && pts - endedAt >= cooldownSeconds {
                active = true
                // Reported at the moment the first intruder entered, not when it was confirmed.
                return [Event(type: .intrusion, camera: camera, frame: first.frame, pts: TrackRules.round(first.pts), state: .start, zone: zone,
                              track: first.track.id, objectClass: Event.ObjectClass(first.track.objectClass), bbox: boxOf(first.track.reportedBox))]
            }
        } else if active && pts - lastIntruderAt >= endSeconds {
            return [end(frame: frame, pts: pts)]
        }
        return []
    }

    /// Ends a running intrusion (end of a clip, a reconnect).
    public mutating func finish(frame: Int, pts: Double) -> [Event] {
        defer { self = IntrusionWatch(camera: camera, zone: zone, classes: classes, armed: armed) }
        return active ? [end(frame: frame, pts: pts)] : []
    }

    private mutating func end(frame: Int, pts: Double) -> Event {
        let event = Event(type: .intrusion, camera: camera, frame: frame, pts: TrackRules.round(pts), state: .end, zone: zone,
                          data: ["tracks": .int(Int64(tracks.count))])
        active = false
        endedAt = pts
        tracks.removeAll()
        return event
    }
}
