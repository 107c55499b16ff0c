import VigilVision

/// One counted crossing of a line by a track.
public struct CountedCrossing: Sendable, Equatable {
    public var line: String
    /// The configured name of the direction (`a_to_b` / `b_to_a` names).
    public var direction: String
    public var towardsB: Bool
    public var track: Int
    public var objectClass: ObjectClass
    /// When the anchor came clear of the dead band past the line, between the frame it was
    /// counted in and the track's measured frame before (the frame before, unless it went
    /// unmeasured), in proportion to the anchor's distances from the line in the two.
    public var frame: Int
    public var pts: Double
    /// The track's box when the crossing was counted and its velocity, analysis pixels (per second).
    public var box: Box
    public var velocity: Point
    /// Frames the track had been measured in by then (its velocity is only settled after a few).
    public var hits: Int
    /// The lane it crossed in, when the line has lanes.
    public var lane: String? = nil
}

/// Counts tracks crossing one line segment, once per track, by their anchor (bottom
/// centre). A track's side only counts once the anchor is clear of the line by a dead
/// band (`minimumDistance` of the frame height, or a tenth of the object's height when
/// that is more), so jitter on the line, stopping on it or walking along it never
/// counts; the crossing must pass through the segment, not around its ends. A track
/// crossing while still tentative is counted when it is confirmed. A crossing is dated to
/// when the anchor came clear of the band, not to when that was seen: a vehicle hidden
/// beside a lorry as it passes and measured again far beyond crossed seconds before it was
/// seen again.
public struct LineCounter: Sendable {
    public struct Definition: Sendable, Equatable {
        public var id: String
        /// Normalized 0…1 coordinates; side A is on the left walking from `from` to `to`.
        public var segment: LineSegment
        public var aToBName: String
        public var bToAName: String
        public var minimumDistance: Double
        /// Lane names in order from `from` to `to`; the segment is cut into that many equal
        /// parts. Empty: no lanes.
        public var lanes: [String]
        public init(id: String, segment: LineSegment, aToBName: String = "a_to_b", bToAName: String = "b_to_a", minimumDistance: Double = 0.015,
                    lanes: [String] = []) {
            self.id = id; self.segment = segment; self.aToBName = aToBName; self.bToAName = bToAName
            self.minimumDistance = minimumDistance
            self.lanes = lanes
        }

        /// The lane at `along` (0 at `from`, 1 at `to`), if the line has lanes.
        public func lane(at along: Double) -> String? {
            guard !lanes.isEmpty else { return nil }
            let index = Int((min(max(along, 0), 0.999_999) * Double(lanes.count)).rounded(.down))
            return lanes[index]
        }
    }

    struct TrackState {
        /// Side (true = B) where the track was first seen clear of the line, and its latest clear side.
        var firstSide: Bool
        var side: Bool
        var lastClearAnchor: Point
        /// A crossing through the segment seen, waiting for confirmation or already counted.
        var crossedThrough = false
        var crossedTowardsB = false
        /// Where along the segment (0…1) it crossed.
        var crossedAlong = 0.0
        var crossedFrame = 0
        var crossedPts = 0.0
        var counted = false
        /// The frame the track was last measured in, its time and the anchor's signed distance.
        var lastSeenFrame: Int
        var lastSeenPts: Double
        var lastSeenDistance: Double
    }

    public let definition: Definition
    private var states = TrackTable<TrackState>()
    /// Crossings per direction (true = towards B) and class since the last `takeCounts()`.
    public private(set) var counts: [Bool: [ObjectClass: Int]] = [true: [:], false: [:]]
    public private(set) var totalCrossings = 0
    /// Crossings since the start, towards side B and towards side A.
    public private(set) var totalTowardsB = 0
    public private(set) var totalTowardsA = 0
    /// Crossings per lane since the last `takeCounts()` (lines with lanes only).
    public private(set) var laneCounts: [String: Int] = [:]

    public init(_ definition: Definition) { self.definition = definition }

    /// Feeds the frame's tracks (analysis pixels); returns the crossings counted now.
    public mutating func observe(tracks: [Track], frame: Int, pts: Double, frameWidth: Int, frameHeight: Int) -> [CountedCrossing] {
        let w = Double(frameWidth), h = Double(frameHeight)
        let from = Point(x: definition.segment.from.x * w, y: definition.segment.from.y * h)
        let to = Point(x: definition.segment.to.x * w, y: definition.segment.to.y * h)
        let dx = to.x - from.x, dy = to.y - from.y
        let length = max(1e-9, (dx * dx + dy * dy).squareRoot())
        var crossings: [CountedCrossing] = []
        // Only measured positions move a track across a line: a coasting track's position is
        // a prediction, which runs on after an object vanishes or stops behind another.
        for track in tracks where !track.isCoasting {
            let anchor = track.anchor
            // Signed distance in pixels: positive on side B (`LineSegment.side`'s convention).
            let distance = (dx * (anchor.y - from.y) - dy * (anchor.x - from.x)) / length
            let band = max(definition.minimumDistance * h, 0.1 * track.box.height, 1.5)
            // One search of the table per track: the state is read and written in place.
            let newlyCounted = states.update(track.id) { state in
                Self.advance(&state, track: track, distance: distance, band: band, from: from, to: to, frame: frame, pts: pts)
            }
            if let current = newlyCounted {
                let towardsB = current.crossedTowardsB
                counts[towardsB, default: [:]][track.objectClass, default: 0] += 1
                totalCrossings += 1
                if towardsB { totalTowardsB += 1 } else { totalTowardsA += 1 }
                let lane = definition.lane(at: current.crossedAlong)
                if let lane { laneCounts[lane, default: 0] += 1 }
                crossings.append(CountedCrossing(line: definition.id, direction: towardsB ? definition.aToBName : definition.bToAName,
                                              towardsB: towardsB, track: track.id, objectClass: track.objectClass,
                                              frame: current.crossedFrame, pts: current.crossedPts, box: track.box, velocity: track.velocity, hits: track.hits, lane: lane))
            }
        }
        // Forget tracks the tracker has dropped (ids are never reused).
        if states.count > 2 * max(8, tracks.count) {
            let live = Set(tracks.map(\.id))
            states.keep { id, _ in live.contains(id) }
        }
        return crossings
    }

    /// Moves one measured track's state on by this frame (signed `distance` from the line,
    /// dead `band`); returns the state when this frame counts its crossing.
    private static func advance(_ state: inout TrackState?, track: Track, distance: Double, band: Double, from: Point, to: Point,
                                frame: Int, pts: Double) -> TrackState? {
        let anchor = track.anchor
        if abs(distance) >= band {
            let sideB = distance > 0
            if var known = state {
                if sideB != known.side {
                    // Through the segment, with a little slack at its ends for the dead band.
                    let along = LineSegment(from: from, to: to).crossingFraction(from: known.lastClearAnchor, to: anchor)
                    if let along, along >= -0.02 && along <= 1.02 && !known.crossedThrough {
                        known.crossedThrough = true
                        known.crossedTowardsB = sideB
                        known.crossedAlong = along
                        // The distance taken as changing evenly from the last measured
                        // frame (inside the band, or short of the line before a gap).
                        let now = sideB ? distance : -distance, before = sideB ? known.lastSeenDistance : -known.lastSeenDistance
                        let part = now > before ? min(1, max(0, (band - before) / (now - before))) : 1
                        known.crossedFrame = known.lastSeenFrame + Int((part * Double(frame - known.lastSeenFrame)).rounded())
                        known.crossedPts = known.lastSeenPts + part * (pts - known.lastSeenPts)
                    }
                    known.side = sideB
                }
                known.lastClearAnchor = anchor
                state = known
            } else {
                state = TrackState(firstSide: sideB, side: sideB, lastClearAnchor: anchor, lastSeenFrame: frame, lastSeenPts: pts,
                                   lastSeenDistance: distance)
            }
        }
        guard var current = state else { return nil }
        current.lastSeenFrame = frame
        current.lastSeenPts = pts
        current.lastSeenDistance = distance
        var counted = false
        if current.crossedThrough && !current.counted && track.isConfirmed {
            current.counted = true
            counted = true
        }
        state = current
        return counted ? current : nil
    }

    /// The counts since the last call, then zero (for periodic flow reports).
    public mutating func takeCounts() -> [Bool: [ObjectClass: Int]] {
        defer { counts = [true: [:], false: [:]]; laneCounts = [:] }
        return counts
    }
}
