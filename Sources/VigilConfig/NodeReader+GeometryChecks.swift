import Yams

/// Checks on the shapes the config draws.
extension NodeReader {
    /// A homography through four points needs no three of them on one line.
    static func hasThreeInLine(_ points: [NormalizedPoint]) -> Bool {
        for skip in points.indices {
            let rest = points.indices.filter { $0 != skip }.map { points[$0] }
            if abs(twiceSignedArea(rest)) < 1e-9 { return true }
        }
        return false
    }

    static func twiceSignedArea(_ points: [NormalizedPoint]) -> Double {
        var area = 0.0
        for i in 0..<points.count {
            let a = points[i], b = points[(i + 1) % points.count]
            area += a.x * b.y - b.x * a.y
        }
        return area
    }

}
