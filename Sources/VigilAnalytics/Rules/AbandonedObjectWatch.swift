import VigilEvents
import VigilVision

/// `abandoned_object` for one zone: a track that is not a person, still for `seconds`, with
/// no person within three of its own sizes during that time (someone standing by their bag
/// has not abandoned it). Ends when the object is taken away (its track moves, leaves or ends).
public struct AbandonedObjectWatch: Sendable {
    public let camera: String, zone: String
    public let seconds: Double
    private var unattendedSince = TrackTable<Double>()
    private var abandoned = TrackTable<Double>()

    public init(camera: String, zone: String, seconds: Double) {
        self.camera = camera; self.zone = zone; self.seconds = seconds
    }

    /// `tracks`: every track of the frame (people anywhere count as attending); `present`:
    /// the ones inside the zone.
    public mutating func observe(_ tracks: [TrackSnapshot], present: TrackSet, frame: Int, pts: Double, stillSpeed: Double,
                                 boxOf: (Box) -> [Double]) -> [Event] {
        var events: [Event] = []
        // Only people actually seen this frame: a coasting track's position is a guess.
        let people = tracks.filter { $0.isConfirmed && !$0.isCoasting && $0.objectClass == .person }
        for track in tracks where present.contains(track.id) && !track.isCoasting {
            // Something person-sized standing there is a person (perhaps with their bag), not
            // a left object: taller than 1.3 × its width, as a bag or a box rarely is.
            guard track.box.height <= 1.3 * track.box.width else { unattendedSince[track.id] = nil; continue }
            let size = max(1, max(track.box.width, track.box.height))
            let still = track.speed / size < stillSpeed
            let anchor = track.anchor
            let attended = people.contains { person in
                let dx = person.anchor.x - anchor.x, dy = person.anchor.y - anchor.y
                return person.id != track.id && (dx * dx + dy * dy).squareRoot() < 3 * max(size, person.box.height / 2)
            }
            if still && !attended {
                let since = unattendedSince[track.id] ?? pts
                unattendedSince[track.id] = since
                // The clock runs from when it was left; the class is checked when raising, since a
                // track the owner leaves on the bag takes a moment to stop voting "person".
                if pts - since >= seconds && abandoned[track.id] == nil && track.objectClass != .person {
                    abandoned[track.id] = since
                    events.append(Event(type: .abandonedObject, camera: camera, frame: frame, pts: TrackRules.round(pts), state: .start, zone: zone,
                                        track: track.id, objectClass: Event.ObjectClass(track.objectClass), bbox: boxOf(track.reportedBox),
                                        data: ["seconds": .double(TrackRules.round(pts - since))]))
                }
            } else if !still || abandoned[track.id] == nil {
                // Moving, or attended before it was ever raised: start the clock again.
                unattendedSince[track.id] = nil
                if !still, let since = abandoned.removeValue(forKey: track.id) { events.append(end(track.id, since: since, frame: frame, pts: pts)) }
            }
        }
        unattendedSince.keep { id, _ in present.contains(id) }
        for (id, since) in abandoned.entries where !present.contains(id) { events.append(end(id, since: since, frame: frame, pts: pts)) }
        abandoned.keep { id, _ in present.contains(id) }
        return events
    }

    public mutating func finish(frame: Int, pts: Double) -> [Event] {
        defer { unattendedSince.removeAll(); abandoned.removeAll() }
        return abandoned.entries.map { end($0.0, since: $0.1, frame: frame, pts: pts) }
    }

    private func end(_ id: Int, since: Double, frame: Int, pts: Double) -> Event {
        Event(type: .abandonedObject, camera: camera, frame: frame, pts: TrackRules.round(pts), state: .end, zone: zone,
              track: id, data: ["seconds": .double(TrackRules.round(pts - since))])
    }
}
