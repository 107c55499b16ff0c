/// The usual size of an object in each part of the picture, learned from confirmed tracks:
/// the camera's perspective, found without a calibration.
///
/// In a jam the motion mask's neighbouring vehicles touch or nearly do, and a fixed gap
/// joins them into one blob; the size a single object has where it is tells a vehicle and
/// its pieces from two vehicles. Each band of rows, and each cell of a band cut into
/// `columns`, keeps running quartiles of width and height (each observation moves an
/// estimate a small step towards itself), so the tracks that are still two objects in one,
/// a minority, do not pull the median up the way they would pull a mean. A cell or band
/// answers only where the objects seen there are alike in size: where it holds a near and a
/// far carriageway, or vans beside cars, size cannot tell one object from two (a van's roof
/// and body would count twice). A band answers before its cells, which learn more slowly
/// (each track once per cell): where a row crosses a near and a far carriageway
/// (highway-cctv) the band mixes sizes it cannot reconcile, while each carriageway's own
/// cells can. Answering with the cell first, where the band is alike, failed the synthetic
/// convoy's confirmed-on-sight test and the real line-count tests when it was tried.
public struct ObjectSizeMap: Sendable {
    public static let bands = 12
    public static let columns = 4
    /// Each observation moves the estimates this share of themselves.
    public var step = 0.04
    /// A band or cell answers after this many observations…
    public var minimumObservations = 12
    /// …while its upper quartile of width and of height is at most this many times the lower.
    public var maximumSpread = 1.6

    /// Running lower quartile, median and upper quartile of width and height.
    private struct Quartiles: Sendable {
        var width: (Double, Double, Double) = (0, 0, 0)
        var height: (Double, Double, Double) = (0, 0, 0)
        var observations = 0

        mutating func observe(_ box: Box, step: Double) {
            if observations == 0 {
                width = (box.width, box.width, box.width)
                height = (box.height, box.height, box.height)
            } else {
                // A stochastic quantile: up by `level` steps when below, down by the rest when above.
                func moved(_ estimate: Double, _ value: Double, _ level: Double) -> Double {
                    estimate * (1 + step * (value > estimate ? level : level - 1))
                }
                width = (moved(width.0, box.width, 0.25), moved(width.1, box.width, 0.5), moved(width.2, box.width, 0.75))
                height = (moved(height.0, box.height, 0.25), moved(height.1, box.height, 0.5), moved(height.2, box.height, 0.75))
            }
            observations += 1
        }

        func usual(minimumObservations: Int, maximumSpread: Double) -> (width: Double, height: Double)? {
            guard observations >= minimumObservations, width.2 <= maximumSpread * width.0, height.2 <= maximumSpread * height.0 else { return nil }
            return (width.1, height.1)
        }
    }

    private var bandQuartiles = [Quartiles](repeating: Quartiles(), count: bands)
    private var cellQuartiles = [Quartiles](repeating: Quartiles(), count: bands * columns)

    public init() {}

    public mutating func reset() {
        for index in bandQuartiles.indices { bandQuartiles[index].observations = 0 }
        for index in cellQuartiles.indices { cellQuartiles[index].observations = 0 }
    }

    /// Folds in the box of one object measured by itself.
    /// A cell learns from an object once per pass: `lastCell` is the cell this object taught
    /// last (-1 at first), kept by the caller. A band learns from every measurement.
    public mutating func observe(_ box: Box, lastCell: inout Int, frameWidth: Int, frameHeight: Int) {
        guard box.width > 0, box.height > 0, let band = band(ofY: box.y + box.height / 2, frameHeight: frameHeight) else { return }
        bandQuartiles[band].observe(box, step: step)
        if let column = column(ofX: box.x + box.width / 2, frameWidth: frameWidth) {
            let cell = band * Self.columns + column
            if cell != lastCell {
                cellQuartiles[cell].observe(box, step: step)
                lastCell = cell
            }
        }
    }

    /// The usual (median) width and height of an object centred at `centre`: its band's, else
    /// its cell's; nil before enough objects have been seen there or where their sizes vary too much.
    public func size(at centre: Point, frameWidth: Int, frameHeight: Int) -> (width: Double, height: Double)? {
        guard let band = band(ofY: centre.y, frameHeight: frameHeight) else { return nil }
        if let usual = bandQuartiles[band].usual(minimumObservations: minimumObservations, maximumSpread: maximumSpread) { return usual }
        guard let column = column(ofX: centre.x, frameWidth: frameWidth) else { return nil }
        return cellQuartiles[band * Self.columns + column].usual(minimumObservations: minimumObservations, maximumSpread: maximumSpread)
    }

    /// The median width and height of the objects seen around `centre`, however much they vary:
    /// its cell's, else its band's; nil before enough objects have been seen there. Where cars
    /// and lorries share the rows, an object no bigger than this is one car, not two.
    public func median(at centre: Point, frameWidth: Int, frameHeight: Int) -> (width: Double, height: Double)? {
        guard let band = band(ofY: centre.y, frameHeight: frameHeight) else { return nil }
        if let column = column(ofX: centre.x, frameWidth: frameWidth),
           let median = cellQuartiles[band * Self.columns + column].usual(minimumObservations: minimumObservations, maximumSpread: .infinity) {
            return median
        }
        return bandQuartiles[band].usual(minimumObservations: minimumObservations, maximumSpread: .infinity)
    }

    /// Whether `box` is at least `wholeShare` of the median object's width and height where it
    /// lies: an object by itself, not a piece of one (false before the median is known).
    public func holdsWhole(_ box: Box, frameWidth: Int, frameHeight: Int) -> Bool {
        guard let median = median(at: box.centre, frameWidth: frameWidth, frameHeight: frameHeight) else { return false }
        return box.width >= Self.wholeShare * median.width && box.height >= Self.wholeShare * median.height
    }

    /// A piece of an object (a roof, a bumper, a car's half hidden by the windscreen's glare)
    /// is rarely as wide and as tall as three-fifths of the usual object. Chosen on m30-hd
    /// (tracks F with its perspective at source width: 0.5 gave 0.608, 0.6 0.611, 0.67 0.599).
    public static let wholeShare = 0.6

    private func band(ofY y: Double, frameHeight: Int) -> Int? {
        guard frameHeight > 0, y >= 0 else { return nil }
        let band = Int(y * Double(Self.bands) / Double(frameHeight))
        return band < Self.bands ? band : nil
    }

    private func column(ofX x: Double, frameWidth: Int) -> Int? {
        guard frameWidth > 0, x >= 0 else { return nil }
        let column = Int(x * Double(Self.columns) / Double(frameWidth))
        return column < Self.columns ? column : nil
    }
}
