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
    private var insideSince = TrackTable<(pts: Double, frame: Int)>()
    /// This frame: every track in the zone (coasting ones included)…
    public private(set) var present = TrackSet()
    /// …and the measured ones that have been inside long enough.
    public private(set) var settled: [Settled] = []

    /// The polygon's bounding box, a hair larger: a point outside it is outside the polygon
    /// (the margin covers rounding in the ray test), and most tracks are.
    private let bounds: Box

    public init(polygon: Polygon) {
        self.polygon = polygon
        let box = polygon.bounds, margin = 1e-9
        bounds = Box(x: box.x - margin, y: box.y - margin, width: box.width + 2 * margin, height: box.height + 2 * margin)
    }

    /// `tracks` in analysis pixels of a `width` × `height` frame.
    public mutating func observe(_ tracks: [TrackSnapshot], frame: Int, pts: Double, width: Double, height: Double, enterSeconds: Double) {
        present.removeAll()
        settled.removeAll(keepingCapacity: true)
        for track in tracks where track.isConfirmed {
            if track.isCoasting {
                if insideSince[track.id] != nil { present.insert(track.id) }
                continue
            }
            let point = Point(x: track.anchor.x / width, y: track.anchor.y / height)
            guard bounds.contains(point) && polygon.contains(point) else { continue }
            present.insert(track.id)
            let entered = insideSince.update(track.id) { since in
                let entered = since ?? (pts, frame)
                since = entered
                return entered
            }
            if pts - entered.pts >= enterSeconds { settled.append(Settled(track: track, pts: entered.pts, frame: entered.frame)) }
        }
        // Tracks that left (or vanished) stop being inside.
        insideSince.keep { id, _ in present.contains(id) }
    }

    public mutating func reset() {
        insideSince.removeAll()
        present.removeAll()
        settled = []
    }
}
