import VigilAnalytics
import VigilMedia
import VigilVision

/// `--annotate`: the clip as a video with what Vigil saw drawn on it — the motion mask
/// lightened (grey) or tinted (colour), confirmed tracks boxed with id and class, zones
/// dashed, lines with their counts per direction — encoded through libavcodec. At the
/// analysis size it draws on the grey analysis frames; at the source's size on the
/// source's colour pictures, with pens and letters scaled so they read at 1080p.
final class ClipAnnotator {
    typealias Zone = (id: String, polygon: Polygon)
    typealias LineTotal = (definition: LineCounter.Definition, towardsB: Int, towardsA: Int)

    /// The colours of each overlay in one kind of picture.
    struct Palette<Pixel> {
        var zone: Pixel, line: Pixel, track: Pixel, coasting: Pixel
    }

    let path: String
    let framesPerSecond: Int
    let size: AnnotationSize
    private var writer: VideoWriter?
    private let converter = PictureConverter()
    private var colour = RGBImage(width: 0, height: 0)

    init(path: String, framesPerSecond: Int, size: AnnotationSize = .analysis) {
        self.path = path
        self.framesPerSecond = max(1, framesPerSecond)
        self.size = size
    }

    /// Whether the analysis has to keep each frame's decoded picture for this annotator.
    var needsPictures: Bool { size == .source }

    func write(_ frame: GrayImage, picture: VideoPicture?, mask: GrayImage?, tracks: [Track], zones: [Zone],
               lines: [LineTotal], frameIndex: Int) throws {
        if size == .source, let picture {
            try writeColour(frame, picture: picture, mask: mask, tracks: tracks, zones: zones, lines: lines, frameIndex: frameIndex)
            return
        }
        if writer == nil {
            writer = try VideoWriter(path: path, width: frame.width, height: frame.height, framesPerSecond: framesPerSecond)
        }
        guard let writer else { return }
        var canvas = Canvas(frame)
        if let mask, mask.width == frame.width, mask.height == frame.height {
            for i in canvas.image.pixels.indices where mask.pixels[i] != 0 { canvas.image.pixels[i] = canvas.image.pixels[i] / 2 + 128 }
        }
        // A source that changed size mid-clip is drawn at the video's first size, or not at all.
        guard frame.width == writer.width, frame.height == writer.height else { return }
        Self.drawOverlays(on: &canvas, analysisWidth: frame.width, analysisHeight: frame.height, pen: 1, letters: 1,
                          palette: Palette(zone: 255, line: 255, track: 255, coasting: 160),
                          tracks: tracks, zones: zones, lines: lines, frameIndex: frameIndex)
        try writer.write(canvas.image)
    }

    private func writeColour(_ frame: GrayImage, picture: VideoPicture, mask: GrayImage?, tracks: [Track], zones: [Zone],
                             lines: [LineTotal], frameIndex: Int) throws {
        if writer == nil {
            // Encoders want even sizes for 4:2:0 video.
            // At the size the picture is shown: a source with non-square pixels is drawn square.
            writer = try VideoWriter(path: path, width: picture.displayWidth & ~1, height: picture.height & ~1, framesPerSecond: framesPerSecond)
            colour = RGBImage(width: picture.displayWidth & ~1, height: picture.height & ~1)
        }
        guard let writer, writer.width == colour.width, writer.height == colour.height else { return }
        let width = colour.width, height = colour.height
        if !converter.rgb(picture, width: width, height: height, into: &colour.pixels) {
            // A picture libswscale cannot convert: the grey analysis frame, enlarged.
            for y in 0..<height {
                for x in 0..<width {
                    let value = frame[min(frame.width - 1, x * frame.width / width), min(frame.height - 1, y * frame.height / height)]
                    colour.set(x, y, RGBImage.Colour(value, value, value))
                }
            }
        }
        if let mask, mask.width == frame.width, mask.height == frame.height {
            Self.tint(&colour, mask: mask)
        }
        var canvas = Canvas(colour)
        // Pens about 1/640 of the width, letters 1/480 (3 and 4 pixels at 1080p), 2 at least.
        Self.drawOverlays(on: &canvas, analysisWidth: frame.width, analysisHeight: frame.height,
                          pen: max(2, width / 640), letters: max(2, width / 480),
                          palette: Palette(zone: RGBImage.Colour(0, 200, 255), line: RGBImage.Colour(255, 220, 0),
                                           track: RGBImage.Colour(40, 230, 60), coasting: RGBImage.Colour(255, 150, 40)),
                          tracks: tracks, zones: zones, lines: lines, frameIndex: frameIndex)
        colour = canvas.image
        try writer.write(colour)
    }

    /// Foreground, half-way towards magenta: the scene stays visible under it.
    private static func tint(_ image: inout RGBImage, mask: GrayImage) {
        let width = image.width, height = image.height
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            for y in 0..<height {
                let maskRow = min(mask.height - 1, y * mask.height / height) * mask.width
                for x in 0..<width where mask.pixels[maskRow + min(mask.width - 1, x * mask.width / width)] != 0 {
                    let i = 3 * (y * width + x)
                    pixels[i] = UInt8((Int(pixels[i]) + 255) / 2)
                    pixels[i + 1] = pixels[i + 1] / 2
                    pixels[i + 2] = UInt8((Int(pixels[i + 2]) + 200) / 2)
                }
            }
        }
    }

    /// Zones, lines, tracks and the frame number, from analysis coordinates to the canvas's.
    private static func drawOverlays<Surface: CanvasSurface>(
        on canvas: inout Canvas<Surface>, analysisWidth: Int, analysisHeight: Int, pen: Int, letters: Int,
        palette: Palette<Surface.Pixel>, tracks: [Track], zones: [Zone], lines: [LineTotal], frameIndex: Int
    ) {
        let width = Double(canvas.image.width), height = Double(canvas.image.height)
        let scaleX = width / Double(max(1, analysisWidth)), scaleY = height / Double(max(1, analysisHeight))
        let letterHeight = 7 * letters
        for zone in zones {
            let points = zone.polygon.points.map { Point(x: $0.x * width, y: $0.y * height) }
            canvas.polygon(points, value: palette.zone, dash: 4 * pen, thickness: pen)
            if let first = points.first { canvas.text(zone.id, x: Int(first.x) + 2 * letters, y: Int(first.y) + 2 * letters, scale: letters) }
        }
        for line in lines {
            let from = Point(x: line.definition.segment.from.x * width, y: line.definition.segment.from.y * height)
            let to = Point(x: line.definition.segment.to.x * width, y: line.definition.segment.to.y * height)
            canvas.line(from: from, to: to, value: palette.line, thickness: pen)
            canvas.text("\(line.definition.id) \(line.definition.aToBName):\(line.towardsB) \(line.definition.bToAName):\(line.towardsA)",
                        x: Int(min(from.x, to.x)) + 2 * letters, y: max(letters, Int(min(from.y, to.y)) - letterHeight - letters), scale: letters)
        }
        for track in tracks where track.isConfirmed {
            let shown = track.reportedBox
            let box = Box(x: shown.x * scaleX, y: shown.y * scaleY, width: shown.width * scaleX, height: shown.height * scaleY)
            canvas.rectangle(box, value: track.isCoasting ? palette.coasting : palette.track, thickness: pen)
            let tag = track.objectClass == .unknown ? "?" : String(track.objectClass.rawValue.prefix(1))
            canvas.text("\(track.id)\(tag)", x: Int(box.x), y: max(letters, Int(box.y) - letterHeight), scale: letters)
        }
        canvas.text("\(frameIndex)", x: 2 * letters, y: canvas.image.height - letterHeight, scale: letters)
    }

    func finish() throws { try writer?.finish() }
}
