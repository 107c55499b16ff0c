/// A ground-plane calibration: the homography from normalized image coordinates to metres
/// on the ground, fitted exactly through four points the operator measured (for example
/// the corners of a lane marking of known length and width). Gives ground positions and
/// speeds for anchors (where objects touch the ground).
public struct GroundPlane: Sendable, Equatable {
    /// Row-major 3×3, h33 = 1.
    public let matrix: [Double]

    public enum CalibrationError: Error, Equatable, CustomStringConvertible {
        case needFourPoints
        case degenerate
        public var description: String {
            switch self {
            case .needFourPoints: return "a ground calibration needs exactly four image points and four ground points"
            case .degenerate: return "three of the points are on one line (or two coincide): the four points must form a quadrilateral"
            }
        }
    }

    /// Fits the homography mapping `image[i]` (normalized) to `ground[i]` (metres).
    public init(image: [Point], ground: [Point]) throws {
        guard image.count == 4 && ground.count == 4 else { throw CalibrationError.needFourPoints }
        for points in [image, ground] {
            for skip in 0..<4 {
                let p = (0..<4).filter { $0 != skip }.map { points[$0] }
                let area = (p[1].x - p[0].x) * (p[2].y - p[0].y) - (p[2].x - p[0].x) * (p[1].y - p[0].y)
                if abs(area) < 1e-9 { throw CalibrationError.degenerate }
            }
        }
        // Two rows per correspondence of A·h = b for h = (h11 … h32).
        var a = [[Double]](), b = [Double]()
        for i in 0..<4 {
            let (x, y, u, v) = (image[i].x, image[i].y, ground[i].x, ground[i].y)
            a.append([x, y, 1, 0, 0, 0, -u * x, -u * y]); b.append(u)
            a.append([0, 0, 0, x, y, 1, -v * x, -v * y]); b.append(v)
        }
        guard let h = Self.solve(a, b) else { throw CalibrationError.degenerate }
        matrix = h + [1]
    }

    /// Ground position in metres of a normalized image point.
    public func ground(_ point: Point) -> Point {
        let m = matrix
        let w = m[6] * point.x + m[7] * point.y + m[8]
        return Point(x: (m[0] * point.x + m[1] * point.y + m[2]) / w, y: (m[3] * point.x + m[4] * point.y + m[5]) / w)
    }

    /// Ground speed in km/h of an anchor at `point` (normalized) moving at `velocity`
    /// (normalized units per second), measured over a short step.
    public func speedKilometresPerHour(at point: Point, velocity: Point) -> Double {
        let step = 0.2
        let a = ground(point), b = ground(Point(x: point.x + velocity.x * step, y: point.y + velocity.y * step))
        let metres = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
        return metres / step * 3.6
    }

    /// Ground area in m² of a polygon given in normalized image points (straight image
    /// edges map to straight ground edges under a homography, so the corners suffice).
    public func area(of polygon: [Point]) -> Double {
        let corners = polygon.map(ground)
        var twice = 0.0
        for index in corners.indices {
            let a = corners[index], b = corners[(index + 1) % corners.count]
            twice += a.x * b.y - b.x * a.y
        }
        return abs(twice) / 2
    }

    /// Gaussian elimination with partial pivoting; nil when singular.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        let n = b.count
        var m = a.enumerated().map { $0.element + [b[$0.offset]] }
        for column in 0..<n {
            let pivot = (column..<n).max { abs(m[$0][column]) < abs(m[$1][column]) }!
            guard abs(m[pivot][column]) > 1e-12 else { return nil }
            m.swapAt(column, pivot)
            for row in 0..<n where row != column {
                let factor = m[row][column] / m[column][column]
                if factor != 0 { for k in column...n { m[row][k] -= factor * m[column][k] } }
            }
        }
        return (0..<n).map { m[$0][n] / m[$0][$0] }
    }
}
