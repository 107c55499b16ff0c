/// Whether a polygon's outline crosses itself.
enum PolygonCheck {
    /// The first pair of non-adjacent edges that touch or cross, by the index of each
    /// edge's first point; nil for a simple polygon. Quadratic, for the few hundred points
    /// a zone may have at most.
    static func crossingEdges(_ points: [NormalizedPoint]) -> (Int, Int)? {
        let count = points.count
        guard count >= 4 else { return nil }
        for i in 0..<(count - 2) {
            let a = points[i], b = points[(i + 1) % count]
            for j in (i + 2)..<count {
                // Edges i and j share a point when j is the edge that closes back to i.
                if i == 0 && j == count - 1 { continue }
                let c = points[j], d = points[(j + 1) % count]
                if segmentsIntersect(a, b, c, d) { return (i, j) }
            }
        }
        return nil
    }

    static func segmentsIntersect(_ a: NormalizedPoint, _ b: NormalizedPoint, _ c: NormalizedPoint, _ d: NormalizedPoint) -> Bool {
        func cross(_ o: NormalizedPoint, _ p: NormalizedPoint, _ q: NormalizedPoint) -> Double {
            (p.x - o.x) * (q.y - o.y) - (p.y - o.y) * (q.x - o.x)
        }
        func within(_ o: NormalizedPoint, _ p: NormalizedPoint, _ q: NormalizedPoint) -> Bool {
            min(o.x, p.x) <= q.x && q.x <= max(o.x, p.x) && min(o.y, p.y) <= q.y && q.y <= max(o.y, p.y)
        }
        let d1 = cross(c, d, a), d2 = cross(c, d, b), d3 = cross(a, b, c), d4 = cross(a, b, d)
        if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) { return true }
        if d1 == 0 && within(c, d, a) { return true }
        if d2 == 0 && within(c, d, b) { return true }
        if d3 == 0 && within(a, b, c) { return true }
        if d4 == 0 && within(a, b, d) { return true }
        return false
    }
}
