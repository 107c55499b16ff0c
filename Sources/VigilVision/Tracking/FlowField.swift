/// How objects usually move in each part of the picture, learned from confirmed tracks.
///
/// A track is born without a velocity. On a road the traffic in each lane goes one way at
/// about one speed, and at a low analysis rate (3 frames a second) a vehicle moves a
/// whole car length between frames: a newborn track that predicts "no motion" finds the
/// car behind in its old place, or nothing. Starting it with the local flow lets it find
/// its own vehicle in the next frame. Cells where objects go every which way (a plaza)
/// learn no flow: a cell gives one only when its tracks agree in direction.
public struct FlowField: Sendable {
    public static let columns = 16, rows = 12
    /// Weight of each new observation in a cell's running means.
    public var rate = 0.1
    /// A cell answers once it has seen this much weight…
    public var minimumWeight = 2.0
    /// …and its mean velocity is at least this share of its mean speed (0: no agreement, 1: all alike).
    public var minimumCoherence = 0.8
    /// Two objects whose centres lie more than 45° off the flow (|cos| below this) are side by side.
    public var acrossCosine = 0.7

    private var meanX = [Double](repeating: 0, count: columns * rows)
    private var meanY = [Double](repeating: 0, count: columns * rows)
    private var meanSpeed = [Double](repeating: 0, count: columns * rows)
    private var weight = [Double](repeating: 0, count: columns * rows)

    public init() {}

    public mutating func reset() {
        for index in weight.indices { meanX[index] = 0; meanY[index] = 0; meanSpeed[index] = 0; weight[index] = 0 }
    }

    /// Folds in one measured velocity (pixels per second) of an object centred at `point`.
    public mutating func observe(velocity: Point, at point: Point, frameWidth: Int, frameHeight: Int) {
        guard let cell = cell(of: point, frameWidth: frameWidth, frameHeight: frameHeight) else { return }
        let rate = max(self.rate, 1 / (weight[cell] + 1))
        meanX[cell] += rate * (velocity.x - meanX[cell])
        meanY[cell] += rate * (velocity.y - meanY[cell])
        let speed = (velocity.x * velocity.x + velocity.y * velocity.y).squareRoot()
        meanSpeed[cell] += rate * (speed - meanSpeed[cell])
        weight[cell] += 1
    }

    /// The usual velocity at `point`, or nil where nothing consistent has been seen.
    public func velocity(at point: Point, frameWidth: Int, frameHeight: Int) -> Point? {
        guard let cell = cell(of: point, frameWidth: frameWidth, frameHeight: frameHeight), weight[cell] >= minimumWeight else { return nil }
        let mean = (meanX[cell] * meanX[cell] + meanY[cell] * meanY[cell]).squareRoot()
        guard mean > 0, mean >= minimumCoherence * meanSpeed[cell] else { return nil }
        return Point(x: meanX[cell], y: meanY[cell])
    }

    /// Whether two boxes lie side by side across the flow where both are (neighbouring
    /// lanes): two vehicles, not pieces of one, since the pieces of a vehicle lie along its
    /// way or overlap. False unless the flow is known at both.
    public func separates(_ a: Box, _ b: Box, frameWidth: Int, frameHeight: Int) -> Bool {
        let ca = a.centre, cb = b.centre
        guard let va = velocity(at: ca, frameWidth: frameWidth, frameHeight: frameHeight),
              let vb = velocity(at: cb, frameWidth: frameWidth, frameHeight: frameHeight) else { return false }
        let vx = va.x + vb.x, vy = va.y + vb.y
        let dx = cb.x - ca.x, dy = cb.y - ca.y
        let speed = (vx * vx + vy * vy).squareRoot(), distance = (dx * dx + dy * dy).squareRoot()
        guard speed > 0, distance > 0 else { return false }
        return abs(vx * dx + vy * dy) / (speed * distance) < acrossCosine
    }

    private func cell(of point: Point, frameWidth: Int, frameHeight: Int) -> Int? {
        guard frameWidth > 0, frameHeight > 0, point.x >= 0, point.y >= 0 else { return nil }
        let column = Int(point.x * Double(Self.columns) / Double(frameWidth))
        let row = Int(point.y * Double(Self.rows) / Double(frameHeight))
        guard column < Self.columns, row < Self.rows else { return nil }
        return row * Self.columns + column
    }
}
