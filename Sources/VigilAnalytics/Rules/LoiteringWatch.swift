import VigilEvents
import VigilVision

/// `loitering` for one zone: a track inside longer than `seconds` starts it (once per
/// track); the track leaving or vanishing ends it.
public struct LoiteringWatch: Sendable {
    public let camera: String, zone: String
    public let seconds: Double
    private var loitering: [Int: (frame: Int, pts: Double)] = [:]

    public init(camera: String, zone: String, seconds: Double) {
        self.camera = camera; self.zone = zone; self.seconds = seconds
    }

    public mutating func observe(_ settled: [ZonePresence.Settled], present: Set<Int>, frame: Int, pts: Double,
                                 boxOf: (Box) -> [Double]) -> [Event] {
        var events: [Event] = []
        for entry in settled where pts - entry.pts >= seconds && loitering[entry.track.id] == nil {
            loitering[entry.track.id] = (frame, pts)
            events.append(Event(type: .loitering, camera: camera, frame: frame, pts: TrackRules.round(pts), state: .start, zone: zone,
                                track: entry.track.id, objectClass: Event.ObjectClass(entry.track.objectClass), bbox: boxOf(entry.track.reportedBox),
                                data: ["seconds": .double(TrackRules.round(pts - entry.pts))]))
        }
        for (id, start) in loitering.sorted(by: { $0.key < $1.key }) where !present.contains(id) {
            loitering[id] = nil
            events.append(end(id, since: start.pts, frame: frame, pts: pts))
        }
        return events
    }

    public mutating func finish(frame: Int, pts: Double) -> [Event] {
        defer { loitering = [:] }
        return loitering.sorted(by: { $0.key < $1.key }).map { end($0.key, since: $0.value.pts, frame: frame, pts: pts) }
    }

    private func end(_ id: Int, since: Double, frame: Int, pts: Double) -> Event {
        Event(type: .loitering, camera: camera, frame: frame, pts: TrackRules.round(pts), state: .end, zone: zone,
              track: id, data: ["seconds": .double(TrackRules.round(pts - since))])
    }
}
