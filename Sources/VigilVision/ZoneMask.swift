/// A polygon (normalized coordinates) rasterised at one analysis size: 1 inside, 0 outside.
/// Pixel centres decide membership.
public struct ZoneMask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var bits: [UInt8]
    public private(set) var pixelCount: Int

    public init(polygons: [Polygon], width: Int, height: Int) {
        self.width = width
        self.height = height
        bits = [UInt8](repeating: 0, count: width * height)
        pixelCount = 0
        for polygon in polygons {
            for y in 0..<height {
                let py = (Double(y) + 0.5) / Double(height)
                for x in 0..<width where bits[y * width + x] == 0 {
                    if polygon.contains(Point(x: (Double(x) + 0.5) / Double(width), y: py)) {
                        bits[y * width + x] = 1
                        pixelCount += 1
                    }
                }
            }
        }
    }

    /// Fraction of this zone's pixels that are foreground (255) in `mask`.
    /// True if the pixel lies inside the zone (false outside the frame).
    public func contains(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < width, y < height else { return false }
        return bits[y * width + x] != 0
    }

    public func fraction(of mask: GrayImage) -> Double {
        guard pixelCount > 0, mask.width == width, mask.height == height else { return 0 }
        var hits = 0
        bits.withUnsafeBufferPointer { zone in
            mask.pixels.withUnsafeBufferPointer { pixels in
                for i in 0..<zone.count { hits &+= Int(zone[i] & (pixels[i] &>> 7)) }
            }
        }
        return Double(hits) / Double(pixelCount)
    }
}
