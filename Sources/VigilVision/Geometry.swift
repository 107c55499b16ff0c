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
    public var centre: Point { Point(x: x + width / 2, y: y + height / 2) }

    /// Whether `point` lies in the box or on its edge.
    public func contains(_ point: Point) -> Bool {
        point.x >= x && point.x <= x + width && point.y >= y && point.y <= y + height
    }

    public func intersectionOverUnion(_ other: Box) -> Double {
        let overlap = intersectionArea(other)
        let union = area + other.area - overlap
        return union > 0 ? overlap / union : 0
    }

    public func intersectionArea(_ other: Box) -> Double {
        let w = min(x + width, other.x + other.width) - max(x, other.x)
        let h = min(y + height, other.y + other.height) - max(y, other.y)
        return w > 0 && h > 0 ? w * h : 0
    }

    /// The columns and rows of a `width`×`height` picture the box touches (a pixel it covers
    /// in part included), clipped to the picture; empty where it lies outside.
    public func pixelSpan(width: Int, height: Int) -> (columns: Range<Int>, rows: Range<Int>) {
        let left = min(width, max(0, Int(x))), right = min(width, Int((x + self.width).rounded(.up)))
        let top = min(height, max(0, Int(y))), bottom = min(height, Int((y + self.height).rounded(.up)))
        return (left..<max(left, right), top..<max(top, bottom))
    }

    /// The smallest box holding both.
    public func union(_ other: Box) -> Box {
        let left = min(x, other.x), top = min(y, other.y)
        return Box(x: left, y: top, width: max(x + width, other.x + other.width) - left, height: max(y + height, other.y + other.height) - top)
    }

    /// Grown by `fraction` of its size on every side.
    public func expanded(by fraction: Double) -> Box {
        Box(x: x - width * fraction, y: y - height * fraction, width: width * (1 + 2 * fraction), height: height * (1 + 2 * fraction))
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
        let value = cross(point)
        if value < 0 { return .a }
        if value > 0 { return .b }
        return .on
    }

    /// Whether the move from `start` to `end` passes through the segment itself,
    /// not merely across the infinite line it lies on.
    public func isCrossed(from start: Point, to end: Point) -> Bool {
        guard let along = crossingFraction(from: start, to: end) else { return false }
        return along > 0 && along < 1
    }

    /// Where the move from `start` to `end` meets the line through this segment, as a
    /// fraction along the segment (0 at `from`, 1 at `to`); nil when the move stays on
    /// one side. Line counters allow a little slack beyond the ends.
    public func crossingFraction(from start: Point, to end: Point) -> Double? {
        let d1 = cross(start), d2 = cross(end)
        guard (d1 < 0 && d2 > 0) || (d1 > 0 && d2 < 0) else { return nil }
        let t = d1 / (d1 - d2)
        let hitX = start.x + (end.x - start.x) * t, hitY = start.y + (end.y - start.y) * t
        let sx = to.x - from.x, sy = to.y - from.y
        return ((hitX - from.x) * sx + (hitY - from.y) * sy) / max(1e-12, sx * sx + sy * sy)
    }

    private func cross(_ point: Point) -> Double {
        (to.x - from.x) * (point.y - from.y) - (to.y - from.y) * (point.x - from.x)
    }
}

/// A closed polygon; the ray-casting test treats points on an edge inconsistently,
/// which zone rules tolerate because anchors move continuously.
public struct Polygon: Sendable, Equatable, Codable {
    public var points: [Point]
    public init(_ points: [Point]) { self.points = points }

    /// The smallest box holding every point (an empty box at the origin with no points).
    public var bounds: Box {
        guard let first = points.first else { return Box(x: 0, y: 0, width: 0, height: 0) }
        var left = first.x, right = first.x, top = first.y, bottom = first.y
        for point in points.dropFirst() {
            left = min(left, point.x); right = max(right, point.x)
            top = min(top, point.y); bottom = max(bottom, point.y)
        }
        return Box(x: left, y: top, width: right - left, height: bottom - top)
    }

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
