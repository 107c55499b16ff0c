/// A point in normalized image coordinates (0…1 across and down) or in pixels,
/// depending on where it is used; the type does not care.
public struct Point: Sendable, Equatable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// An axis-aligned box: left, top, width, height.
public struct Box: Sendable, Equatable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    /// Bottom centre: where a person or vehicle touches the ground, the anchor for zones and lines.
    public var anchor: Point { Point(x: x + width / 2, y: y + height) }
    public var area: Double { max(0, width) * max(0, height) }

    public func intersectionOverUnion(_ other: Box) -> Double {
        let left = max(x, other.x), right = min(x + width, other.x + other.width)
        let top = max(y, other.y), bottom = min(y + height, other.y + other.height)
        let overlap = max(0, right - left) * max(0, bottom - top)
        let union = area + other.area - overlap
        return union > 0 ? overlap / union : 0
    }
}

/// A directed segment from `from` to `to`. Side A is on the left of the direction
/// as seen on screen (y grows downwards): for a line drawn left to right, A is above.
public struct LineSegment: Sendable, Equatable, Codable {
    public var from: Point
    public var to: Point
    public init(from: Point, to: Point) { self.from = from; self.to = to }

    public enum Side: Sendable, Equatable { case a, b, on }

    public func side(of point: Point) -> Side {
        let cross = (to.x - from.x) * (point.y - from.y) - (to.y - from.y) * (point.x - from.x)
        if cross < 0 { return .a }
        if cross > 0 { return .b }
        return .on
    }

    /// Whether the move from `start` to `end` passes through the segment itself,
    /// not merely across the infinite line it lies on.
    public func isCrossed(from start: Point, to end: Point) -> Bool {
        func orient(_ p: Point, _ q: Point, _ r: Point) -> Double {
            (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x)
        }
        let d1 = orient(from, to, start), d2 = orient(from, to, end)
        let d3 = orient(start, end, from), d4 = orient(start, end, to)
        return ((d1 < 0 && d2 > 0) || (d1 > 0 && d2 < 0)) && ((d3 < 0 && d4 > 0) || (d3 > 0 && d4 < 0))
    }
}

/// A closed polygon; the ray-casting test treats points on an edge inconsistently,
/// which zone rules tolerate because anchors move continuously.
public struct Polygon: Sendable, Equatable, Codable {
    public var points: [Point]
    public init(_ points: [Point]) { self.points = points }

    public func contains(_ p: Point) -> Bool {
        var inside = false
        var j = points.count - 1
        for i in 0..<points.count {
            let a = points[i], b = points[j]
            if (a.y > p.y) != (b.y > p.y) {
                let xCross = (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x
                if p.x < xCross { inside.toggle() }
            }
            j = i
        }
        return inside
    }
}
