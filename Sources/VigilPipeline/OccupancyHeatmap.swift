import VigilVision

/// `--heatmap`: how often each pixel was foreground over the whole clip (or since a worker
/// started), and the first frame to draw it over; `HeatmapPainter` draws it in colour.
public struct OccupancyHeatmap {
    public private(set) var first: GrayImage?
    /// Frames each pixel was foreground in, row by row at the analysis size.
    public var counts: [UInt32] {
        var result = totals
        for i in result.indices { result[i] &+= UInt32(recent[i]) }
        return result
    }
    public private(set) var frames = 0
    /// Flushed counts, and the last (at most 255) frames' counts in bytes: the per-frame add
    /// then runs sixteen pixels an instruction, which a live camera pays every frame.
    private var totals: [UInt32] = []
    private var recent: [UInt8] = []
    private var recentFrames = 0

    public init() {}

    /// Draws later renders over this picture instead of the first one (a live camera's
    /// heatmap should show today's scene).
    public mutating func setBackground(_ frame: GrayImage) {
        if let first, first.width == frame.width, first.height == frame.height { self.first = frame }
    }

    public mutating func add(frame: GrayImage, mask: GrayImage) {
        if first == nil {
            first = frame
            totals = [UInt32](repeating: 0, count: mask.pixels.count)
            recent = [UInt8](repeating: 0, count: mask.pixels.count)
        }
        guard mask.pixels.count == totals.count else { return }
        frames += 1
        if recentFrames == 255 {
            for i in totals.indices { totals[i] &+= UInt32(recent[i]) }
            recent.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            recentFrames = 0
        }
        recentFrames += 1
        typealias Lanes = SIMD16<UInt8>
        let one = Lanes(repeating: 1), zero = Lanes(repeating: 0)
        mask.pixels.withUnsafeBufferPointer { bits in
            recent.withUnsafeMutableBufferPointer { counts in
                let source = UnsafeRawPointer(bits.baseAddress!), target = UnsafeMutableRawPointer(counts.baseAddress!)
                let count = counts.count
                var i = 0
                while i + 16 <= count {
                    let marked = one.replacing(with: zero, where: source.loadUnaligned(fromByteOffset: i, as: Lanes.self) .== zero)
                    target.storeBytes(of: target.loadUnaligned(fromByteOffset: i, as: Lanes.self) &+ marked, toByteOffset: i, as: Lanes.self)
                    i += 16
                }
                while i < count {
                    counts[i] &+= bits[i] != 0 ? 1 : 0
                    i += 1
                }
            }
        }
    }
}
