import VigilEvents
import VigilVision

/// `stopped_vehicle` for one zone (a no-stopping area): a vehicle slower than `stillSpeed`
/// of its own lengths per second for `seconds` starts it; moving faster than `movingSpeed`,
/// leaving the zone or vanishing ends it. Between the two speeds nothing changes, so a car
/// creeping in a queue neither starts nor ends it.
public struct StoppedVehicleWatch: Sendable {
    public let camera: String, zone: String
    public let seconds: Double
    private var stillSince = TrackTable<Double>()
    private var stopped = TrackTable<Double>()

    public init(camera: String, zone: String, seconds: Double) {
        self.camera = camera; self.zone = zone; self.seconds = seconds
    }

    /// `measured`: the tracks measured inside the zone this frame; `present`: every track inside.
    public mutating func observe(_ measured: [TrackSnapshot], present: TrackSet, frame: Int, pts: Double, stillSpeed: Double, movingSpeed: Double,
                                 boxOf: (Box) -> [Double]) -> [Event] {
        var events: [Event] = []
        for track in measured where track.objectClass == .vehicle {
            let speed = track.relativeSpeed
            if speed < stillSpeed {
                let since = stillSince[track.id] ?? pts
                stillSince[track.id] = since
                if pts - since >= seconds && stopped[track.id] == nil {
                    stopped[track.id] = since
                    events.append(Event(type: .stoppedVehicle, camera: camera, frame: frame, pts: TrackRules.round(pts), state: .start, zone: zone,
                                        track: track.id, objectClass: .vehicle, bbox: boxOf(track.reportedBox),
                                        data: ["seconds": .double(TrackRules.round(pts - since))]))
                }
            } else if speed > movingSpeed {
                stillSince[track.id] = nil
                if let since = stopped.removeValue(forKey: track.id) { events.append(end(track.id, since: since, frame: frame, pts: pts)) }
            }
        }
        // Tracks gone from the zone end their stop.
        stillSince.keep { id, _ in present.contains(id) }
        for (id, since) in stopped.entries where !present.contains(id) { events.append(end(id, since: since, frame: frame, pts: pts)) }
        stopped.keep { id, _ in present.contains(id) }
        return events
    }

    public mutating func finish(frame: Int, pts: Double) -> [Event] {
        defer { stillSince.removeAll(); stopped.removeAll() }
        return stopped.entries.map { end($0.0, since: $0.1, frame: frame, pts: pts) }
    }

    private func end(_ id: Int, since: Double, frame: Int, pts: Double) -> Event {
        Event(type: .stoppedVehicle, camera: camera, frame: frame, pts: TrackRules.round(pts), state: .end, zone: zone,
              track: id, data: ["seconds": .double(TrackRules.round(pts - since))])
    }
}
