/// What an object looks like in grey, cheaply: the mean level of its foreground pixels in
/// the upper and the lower half of its box (a person's coat and trousers, a car's roof and
/// body). Two people who cross or walk side by side are told apart by it when their boxes
/// alone cannot say which is which.
public struct Appearance: Sendable, Equatable {
    public var upper: Double
    public var lower: Double
    /// Foreground pixels measured in each half (a measurement of a few pixels says little).
    public var upperPixels: Int
    public var lowerPixels: Int

    public init(upper: Double, lower: Double, upperPixels: Int, lowerPixels: Int) {
        self.upper = upper; self.lower = lower; self.upperPixels = upperPixels; self.lowerPixels = lowerPixels
    }

    /// Each half needs this many foreground pixels (of those read) for its mean to count.
    static let minimumPixels = 6

    /// Measures `box` of `image` where `mask` is foreground; nil when either half has too
    /// few foreground pixels. Reads every second pixel of every second row of the box: its
    /// cost is a quarter of the object's size, not the frame's (a mean over a coat loses
    /// little by skipping pixels).
    public static func measure(_ box: Box, image: GrayImage, mask: GrayImage) -> Appearance? {
        guard image.width == mask.width, image.height == mask.height else { return nil }
        let width = image.width
        let (columns, rows) = box.pixelSpan(width: width, height: image.height)
        guard !columns.isEmpty, rows.count >= 2 else { return nil }
        let left = columns.lowerBound, right = columns.upperBound, top = rows.lowerBound, bottom = rows.upperBound
        let middle = (top + bottom) / 2
        var sums = (0, 0), counts = (0, 0)
        image.pixels.withUnsafeBufferPointer { grey in
            mask.pixels.withUnsafeBufferPointer { foreground in
                let g = grey.baseAddress!, m = foreground.baseAddress!
                for y in stride(from: top, to: bottom, by: 2) {
                    var sum = 0, count = 0
                    let row = y * width
                    // Branch-free: a mask byte of 0 adds nothing, any other adds the grey.
                    for x in stride(from: row + left, to: row + right, by: 2) {
                        let on = Int(truncatingIfNeeded: m[x] != 0 ? 1 : 0)
                        sum &+= Int(g[x]) &* on
                        count &+= on
                    }
                    if y < middle { sums.0 &+= sum; counts.0 &+= count } else { sums.1 &+= sum; counts.1 &+= count }
                }
            }
        }
        guard counts.0 >= minimumPixels, counts.1 >= minimumPixels else { return nil }
        return Appearance(upper: Double(sums.0) / Double(counts.0), lower: Double(sums.1) / Double(counts.1),
                          upperPixels: counts.0, lowerPixels: counts.1)
    }

    /// Grey levels apart, as the mean of the two halves' differences.
    public func distance(to other: Appearance) -> Double {
        (abs(upper - other.upper) + abs(lower - other.lower)) / 2
    }

    /// Moves this appearance a fraction `rate` of the way towards `measured`.
    public mutating func follow(_ measured: Appearance, rate: Double) {
        upper += rate * (measured.upper - upper)
        lower += rate * (measured.lower - lower)
        upperPixels = measured.upperPixels
        lowerPixels = measured.lowerPixels
    }
}
