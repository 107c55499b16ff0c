import VigilAnalytics
import VigilMedia
import VigilVision

/// `--annotate`: the analysis frames as a video with what Vigil saw drawn on them — the
/// motion mask lightened, confirmed tracks boxed with id and class, zones dashed, lines
/// with their counts per direction — encoded through libavcodec at the analysis size.
final class ClipAnnotator {
    let path: String
    let framesPerSecond: Int
    private var writer: VideoWriter?

    init(path: String, framesPerSecond: Int) {
        self.path = path
        self.framesPerSecond = max(1, framesPerSecond)
    }

    func write(_ frame: GrayImage, mask: GrayImage?, tracks: [Track], zones: [(id: String, polygon: Polygon)],
               lines: [(definition: LineCounter.Definition, towardsB: Int, towardsA: Int)], frameIndex: Int) throws {
        if writer == nil {
            writer = try VideoWriter(path: path, width: frame.width, height: frame.height, framesPerSecond: framesPerSecond)
        }
        var canvas = Canvas(frame)
        let width = Double(frame.width), height = Double(frame.height)
        if let mask, mask.width == frame.width, mask.height == frame.height {
            for i in canvas.image.pixels.indices where mask.pixels[i] != 0 { canvas.image.pixels[i] = canvas.image.pixels[i] / 2 + 128 }
        }
        for zone in zones {
            let points = zone.polygon.points.map { Point(x: $0.x * width, y: $0.y * height) }
            canvas.polygon(points, value: 255, dash: 4)
            if let first = points.first { canvas.text(zone.id, x: Int(first.x) + 2, y: Int(first.y) + 2) }
        }
        for line in lines {
            let from = Point(x: line.definition.segment.from.x * width, y: line.definition.segment.from.y * height)
            let to = Point(x: line.definition.segment.to.x * width, y: line.definition.segment.to.y * height)
            canvas.line(from: from, to: to, value: 255)
            canvas.text("\(line.definition.id) \(line.definition.aToBName):\(line.towardsB) \(line.definition.bToAName):\(line.towardsA)",
                        x: Int(min(from.x, to.x)) + 2, y: max(1, Int(min(from.y, to.y)) - 8))
        }
        for track in tracks where track.isConfirmed {
            canvas.rectangle(track.box, value: track.isCoasting ? 160 : 255)
            let tag = track.objectClass == .unknown ? "?" : String(track.objectClass.rawValue.prefix(1))
            canvas.text("\(track.id)\(tag)", x: Int(track.box.x), y: max(1, Int(track.box.y) - 7))
        }
        canvas.text("\(frameIndex)", x: 2, y: frame.height - 7)
        try writer?.write(canvas.image)
    }

    func finish() throws { try writer?.finish() }
}

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
