/// How tall a person appears at each height of the picture, from two references (the
/// configuration's `perspective`): linear in between and beyond, never below a floor.
/// Lets size thresholds follow the camera, so a far person and a near one weigh alike.
public struct PerspectiveScale: Sendable, Equatable {
    public var nearY: Double
    public var nearPersonHeight: Double
    public var farY: Double
    public var farPersonHeight: Double

    public init(nearY: Double, nearPersonHeight: Double, farY: Double, farPersonHeight: Double) {
        self.nearY = nearY; self.nearPersonHeight = nearPersonHeight
        self.farY = farY; self.farPersonHeight = farPersonHeight
    }

    /// Person height as a fraction of the frame height, for feet at normalized `y`.
    public func personHeight(atY y: Double) -> Double {
        let t = (y - farY) / (nearY - farY)
        return max(0.005, farPersonHeight + (nearPersonHeight - farPersonHeight) * t)
    }

    /// Person height in pixels, for feet at normalized `y` in a frame `height` rows high.
    public func personPixels(atY y: Double, height: Int) -> Double {
        personHeight(atY: y) * Double(height)
    }

    /// Pixels a standing person covers at `y` in a `width`×`height` frame (about 0.35 × h²
    /// in pixels, allowing for a body's width).
    public func personArea(atY y: Double, width: Int, height: Int) -> Double {
        let pixels = personPixels(atY: y, height: height)
        return 0.35 * pixels * pixels
    }
}
