import VigilVision

/// `--heatmap`: how often each pixel was foreground over the whole clip (or since a worker
/// started), and the first frame to draw it over; `HeatmapPainter` draws it in colour.
public struct OccupancyHeatmap {
    public private(set) var first: GrayImage?
    /// Frames each pixel was foreground in, row by row at the analysis size.
    public private(set) var counts: [UInt32] = []
    public private(set) var frames = 0

    public init() {}

    /// Draws later renders over this picture instead of the first one (a live camera's
    /// heatmap should show today's scene).
    public mutating func setBackground(_ frame: GrayImage) {
        if let first, first.width == frame.width, first.height == frame.height { self.first = frame }
    }

    public mutating func add(frame: GrayImage, mask: GrayImage) {
        if first == nil {
            first = frame
            counts = [UInt32](repeating: 0, count: mask.pixels.count)
        }
        guard mask.pixels.count == counts.count else { return }
        frames += 1
        mask.pixels.withUnsafeBufferPointer { bits in
            counts.withUnsafeMutableBufferPointer { totals in
                for i in 0..<totals.count where bits[i] != 0 { totals[i] &+= 1 }
            }
        }
    }
}
