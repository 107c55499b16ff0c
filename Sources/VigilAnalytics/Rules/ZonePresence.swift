import VigilVision

/// Which confirmed tracks are in a zone, and since when. A track counts as inside once its
/// ground point has been in the polygon `enterSeconds` (no event for an anchor grazing the
/// edge); the events still carry the moment it entered. A coasting track stays where it was
/// last measured: inside if it was, never newly inside (its prediction may run on into a
/// zone the object never entered).
public struct ZonePresence: Sendable {
    public struct Settled: Sendable, Equatable {
        public var track: TrackSnapshot
        /// When and at which frame it entered.
        public var pts: Double
        public var frame: Int
    }

    public let polygon: Polygon
    private var insideSince: [Int: (pts: Double, frame: Int)] = [:]
    /// This frame: every track in the zone (coasting ones included)…
    public private(set) var present: Set<Int> = []
    /// …and the measured ones that have been inside long enough.
    public private(set) var settled: [Settled] = []

    public init(polygon: Polygon) { self.polygon = polygon }

    /// `tracks` in analysis pixels of a `width` × `height` frame.
    public mutating func observe(_ tracks: [TrackSnapshot], frame: Int, pts: Double, width: Double, height: Double, enterSeconds: Double) {
        present.removeAll(keepingCapacity: true)
        settled.removeAll(keepingCapacity: true)
        for track in tracks where track.isConfirmed {
            if track.isCoasting {
                if insideSince[track.id] != nil { present.insert(track.id) }
                continue
            }
            guard polygon.contains(Point(x: track.anchor.x / width, y: track.anchor.y / height)) else { continue }
            present.insert(track.id)
            let entered = insideSince[track.id] ?? (pts, frame)
            insideSince[track.id] = entered
            if pts - entered.pts >= enterSeconds { settled.append(Settled(track: track, pts: entered.pts, frame: entered.frame)) }
        }
        // Tracks that left (or vanished) stop being inside.
        for id in insideSince.keys where !present.contains(id) { insideSince[id] = nil }
    }

    public mutating func reset() {
        insideSince = [:]
        present = []
        settled = []
    }
}
