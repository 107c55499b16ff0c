/// The usual size of an object in each band of image rows, learned from confirmed tracks:
/// the camera's perspective, found without a calibration.
///
/// In a jam the motion mask's neighbouring vehicles touch or nearly do, and a fixed gap
/// joins them into one blob; the size a single object has at that row tells a vehicle and
/// its pieces from two vehicles. Each band keeps running quartiles of width and height
/// (each observation moves an estimate a small step towards itself), so the tracks that
/// are still two objects in one, a minority, do not pull the median up the way they would
/// pull a mean. A band answers only where the objects seen there are alike in size: where
/// a row holds a near and a far carriageway, or vans beside cars, size cannot tell one
/// object from two (a van's roof and body would count twice).
public struct ObjectSizeMap: Sendable {
    public static let bands = 12
    /// Each observation moves the estimates this share of themselves.
    public var step = 0.04
    /// A band answers after this many observations…
    public var minimumObservations = 12
    /// …while its upper quartile of width and of height is at most this many times the lower.
    public var maximumSpread = 1.6

    private static let quartiles = [0.25, 0.5, 0.75]
    /// Lower quartile, median and upper quartile per band, three entries a band.
    private var width = [Double](repeating: 0, count: bands * 3)
    private var height = [Double](repeating: 0, count: bands * 3)
    private var observations = [Int](repeating: 0, count: bands)

    public init() {}

    public mutating func reset() {
        for band in 0..<Self.bands { observations[band] = 0 }
    }

    /// Folds in the box of one object measured by itself.
    public mutating func observe(_ box: Box, frameHeight: Int) {
        guard box.width > 0, box.height > 0, let band = band(ofY: box.y + box.height / 2, frameHeight: frameHeight) else { return }
        for (index, quartile) in Self.quartiles.enumerated() {
            let slot = band * 3 + index
            if observations[band] == 0 {
                width[slot] = box.width
                height[slot] = box.height
            } else {
                // A stochastic quantile: up by `quartile` steps when below, down by the rest when above.
                width[slot] *= 1 + step * (box.width > width[slot] ? quartile : quartile - 1)
                height[slot] *= 1 + step * (box.height > height[slot] ? quartile : quartile - 1)
            }
        }
        observations[band] += 1
    }

    /// The usual (median) width and height of an object centred at row `y`, or nil before
    /// enough objects have been seen there or where their sizes vary too much.
    public func size(atY y: Double, frameHeight: Int) -> (width: Double, height: Double)? {
        guard let band = band(ofY: y, frameHeight: frameHeight), observations[band] >= minimumObservations else { return nil }
        let slot = band * 3
        guard width[slot + 2] <= maximumSpread * width[slot], height[slot + 2] <= maximumSpread * height[slot] else { return nil }
        return (width[slot + 1], height[slot + 1])
    }

    private func band(ofY y: Double, frameHeight: Int) -> Int? {
        guard frameHeight > 0, y >= 0 else { return nil }
        let band = Int(y * Double(Self.bands) / Double(frameHeight))
        return band < Self.bands ? band : nil
    }
}
