import CFFmpeg
import VigilVision

/// The heatmap in colour: how often each pixel was foreground, in a perceptual colour map
/// (inferno: dark purple through red and orange to pale yellow, ordered in lightness, readable
/// by colour-blind operators and in grey print) over the camera's colour picture, with a legend
/// that says what the brightest colour means.
public final class HeatmapPainter {
    private let converter = PictureConverter()
    private let encoder = ImageEncoder(format: .png)

    public init() {}

    /// matplotlib's inferno at nine evenly spaced points, joined by straight lines.
    static let anchors: [(Double, Double, Double)] = [
        (0, 0, 4), (31, 12, 72), (87, 16, 110), (138, 34, 106), (188, 55, 84),
        (228, 92, 48), (249, 142, 9), (246, 215, 70), (252, 255, 164),
    ]

    /// The map's colour for `t` in 0…1.
    public static func colour(_ t: Double) -> (UInt8, UInt8, UInt8) {
        let position = max(0, min(1, t)) * Double(anchors.count - 1)
        let index = min(anchors.count - 2, Int(position))
        let f = position - Double(index)
        let a = anchors[index], b = anchors[index + 1]
        return (UInt8((a.0 + (b.0 - a.0) * f).rounded()), UInt8((a.1 + (b.1 - a.1) * f).rounded()), UInt8((a.2 + (b.2 - a.2) * f).rounded()))
    }

    /// RGB bytes (3 per pixel, rows packed) of the heatmap at `width`×`height` (the counts'
    /// size): the colour `picture` scaled to that size and dimmed, or `grey` when there is no
    /// colour picture; each pixel's share of `frames` (square root, so rare paths still show)
    /// in the map, more opaque where hotter; a legend at the right edge.
    public func rgb(counts: [UInt32], frames: Int, width: Int, height: Int, picture: VideoPicture?, grey: GrayImage?) -> [UInt8] {
        precondition(counts.count == width * height)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        if let picture, converter.rgb(picture, width: width, height: height, into: &pixels) {
        } else if let grey, grey.width == width, grey.height == height {
            for i in 0..<(width * height) { pixels[3 * i] = grey.pixels[i]; pixels[3 * i + 1] = grey.pixels[i]; pixels[3 * i + 2] = grey.pixels[i] }
        }
        let peak = max(1, counts.max() ?? 1)
        for i in 0..<(width * height) {
            // The scene stays visible but steps back, so the colours carry the message.
            var r = Double(pixels[3 * i]) * 0.45, g = Double(pixels[3 * i + 1]) * 0.45, b = Double(pixels[3 * i + 2]) * 0.45
            if counts[i] > 0 {
                let heat = (Double(counts[i]) / Double(peak)).squareRoot()
                let (hr, hg, hb) = Self.colour(0.15 + 0.85 * heat)
                // Rare foreground only tints the scene; the busy places are nearly opaque.
                let alpha = 0.3 + 0.65 * heat
                r = r * (1 - alpha) + Double(hr) * alpha
                g = g * (1 - alpha) + Double(hg) * alpha
                b = b * (1 - alpha) + Double(hb) * alpha
            }
            pixels[3 * i] = UInt8(r); pixels[3 * i + 1] = UInt8(g); pixels[3 * i + 2] = UInt8(b)
        }
        let share = frames > 0 ? Int((Double(peak) / Double(frames) * 100).rounded()) : 0
        drawLegend(&pixels, width: width, height: height, top: "\(share)%", bottom: "0")
        return pixels
    }

    /// The heatmap as PNG bytes (RGB).
    public func png(counts: [UInt32], frames: Int, width: Int, height: Int, picture: VideoPicture?, grey: GrayImage?) throws -> [UInt8] {
        try encoder.encodeRGB(rgb(counts: counts, frames: frames, width: width, height: height, picture: picture, grey: grey),
                              width: width, height: height)
    }

    public func write(counts: [UInt32], frames: Int, width: Int, height: Int, picture: VideoPicture?, grey: GrayImage?, to path: String) throws {
        try FileBytes.writeAtomically(try png(counts: counts, frames: frames, width: width, height: height, picture: picture, grey: grey), to: path)
    }

    /// A vertical bar of the map at the right edge, labelled with what its ends mean: the
    /// top is the share of frames the busiest pixel was foreground in.
    private func drawLegend(_ pixels: inout [UInt8], width: Int, height: Int, top: String, bottom: String) {
        let barWidth = max(6, width / 60), barHeight = max(20, height / 2)
        let x0 = width - barWidth - 4, y0 = (height - barHeight) / 2
        guard x0 > 20, y0 > 10 else { return }
        for y in 0..<barHeight {
            let (r, g, b) = Self.colour(0.15 + 0.85 * (1 - Double(y) / Double(barHeight - 1)))
            for x in 0..<barWidth {
                let i = 3 * ((y0 + y) * width + x0 + x)
                pixels[i] = r; pixels[i + 1] = g; pixels[i + 2] = b
            }
        }
        // Labels: drawn by the grey canvas (a dark box, white letters), stamped in.
        // Twice the pixel font's size on pictures wide enough for it, so "%" reads as one.
        let scale = width >= 400 ? 2 : 1
        for (text, y) in [(top, y0 - 9 * scale), (bottom, y0 + barHeight + 3)] {
            let textWidth = (text.count * 4 + 1) * scale
            var label = Canvas(GrayImage(width: textWidth + 2 * scale, height: 9 * scale))
            for i in label.image.pixels.indices { label.image.pixels[i] = 128 }
            label.text(text, x: scale, y: 2 * scale, scale: scale)
            let x = min(width - textWidth - 2, x0 + barWidth / 2 - textWidth / 2)
            for ly in 0..<label.image.height {
                for lx in 0..<label.image.width {
                    let value = label.image.pixels[ly * label.image.width + lx]
                    let px = x + lx, py = y + ly
                    guard value != 128, px >= 0, py >= 0, px < width, py < height else { continue }
                    let i = 3 * (py * width + px)
                    let shade: UInt8 = value == 0 ? 0 : 255
                    pixels[i] = shade; pixels[i + 1] = shade; pixels[i + 2] = shade
                }
            }
        }
    }
}
