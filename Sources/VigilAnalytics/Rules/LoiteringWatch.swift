import VigilEvents
import VigilVision

/// `loitering` for one zone: a track inside longer than `seconds` starts it (once per
/// track); the track leaving or vanishing ends it.
public struct LoiteringWatch: Sendable {
    public let camera: String, zone: String
    public let seconds: Double
    private var loitering = TrackTable<(frame: Int, pts: Double)>()

    public init(camera: String, zone: String, seconds: Double) {
        self.camera = camera; self.zone = zone; self.seconds = seconds
    }

    public mutating func observe(_ settled: [ZonePresence.Settled], present: TrackSet, frame: Int, pts: Double,
                                 boxOf: (Box) -> [Double]) -> [Event] {
        var events: [Event] = []
        for entry in settled where pts - entry.pts >= seconds && loitering[entry.track.id] == nil {
            loitering[entry.track.id] = (frame, pts)
            events.append(Event(type: .loitering, camera: camera, frame: frame, pts: TrackRules.round(pts), state: .start, zone: zone,
                                track: entry.track.id, objectClass: Event.ObjectClass(entry.track.objectClass), bbox: boxOf(entry.track.reportedBox),
                                data: ["seconds": .double(TrackRules.round(pts - entry.pts))]))
        }
        for (id, start) in loitering.entries where !present.contains(id) { events.append(end(id, since: start.pts, frame: frame, pts: pts)) }
        loitering.keep { id, _ in present.contains(id) }
        return events
    }

    public mutating func finish(frame: Int, pts: Double) -> [Event] {
        defer { loitering.removeAll() }
        return loitering.entries.map { end($0.0, since: $0.1.pts, frame: frame, pts: pts) }
    }

    private func end(_ id: Int, since: Double, frame: Int, pts: Double) -> Event {
        Event(type: .loitering, camera: camera, frame: frame, pts: TrackRules.round(pts), state: .end, zone: zone,
              track: id, data: ["seconds": .double(TrackRules.round(pts - since))])
    }
}
