/// Drawing on a grey or colour picture, for the annotated video and the heatmap: lines,
/// boxes, polygons and short labels in a 3×5 pixel font (digits, upper-case letters and a
/// few signs), scaled up by whole pixels. Everything is clipped to the picture.
public struct Canvas<Surface: CanvasSurface> {
    public var image: Surface

    public init(_ image: Surface) { self.image = image }

    public mutating func plot(_ x: Int, _ y: Int, _ value: Surface.Pixel) {
        guard x >= 0 && y >= 0 && x < image.width && y < image.height else { return }
        image.set(x, y, value)
    }

    /// Bresenham's line; `dash` > 0 draws `dash` pixels on, `dash` off; `thickness` > 1 draws
    /// a square pen that wide (lines a source-sized 1080p picture can show).
    public mutating func line(from a: Point, to b: Point, value: Surface.Pixel, dash: Int = 0, thickness: Int = 1) {
        var x0 = Int(a.x.rounded()), y0 = Int(a.y.rounded())
        let x1 = Int(b.x.rounded()), y1 = Int(b.y.rounded())
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var error = dx + dy, step = 0
        // Bounded: a line can never need more steps than its longer side.
        for _ in 0...(dx + abs(dy)) {
            if dash == 0 || (step / dash) % 2 == 0 {
                if thickness <= 1 {
                    plot(x0, y0, value)
                } else {
                    let low = -(thickness - 1) / 2
                    for dy in low..<(low + thickness) { for dx in low..<(low + thickness) { plot(x0 + dx, y0 + dy, value) } }
                }
            }
            step += 1
            if x0 == x1 && y0 == y1 { break }
            let doubled = 2 * error
            if doubled >= dy { error += dy; x0 += sx }
            if doubled <= dx { error += dx; y0 += sy }
        }
    }

    public mutating func rectangle(_ box: Box, value: Surface.Pixel, thickness: Int = 1) {
        let a = Point(x: box.x, y: box.y), b = Point(x: box.x + box.width - 1, y: box.y)
        let c = Point(x: box.x + box.width - 1, y: box.y + box.height - 1), d = Point(x: box.x, y: box.y + box.height - 1)
        line(from: a, to: b, value: value, thickness: thickness); line(from: b, to: c, value: value, thickness: thickness)
        line(from: c, to: d, value: value, thickness: thickness); line(from: d, to: a, value: value, thickness: thickness)
    }

    public mutating func polygon(_ points: [Point], value: Surface.Pixel, dash: Int = 0, thickness: Int = 1) {
        for index in points.indices {
            line(from: points[index], to: points[(index + 1) % points.count], value: value, dash: dash, thickness: thickness)
        }
    }

    /// Text with its top-left corner at (x, y), on a dark backing so it reads on any scene.
    public mutating func text(_ string: String, x: Int, y: Int, scale: Int = 1, value: Surface.Pixel = Surface.white) {
        let characters = Array(string.uppercased())
        let width = characters.count * 4 * scale + scale, height = 7 * scale
        for yy in (y - scale)..<(y - scale + height) { for xx in (x - scale)..<(x - scale + width) { plot(xx, yy, Surface.black) } }
        for (index, character) in characters.enumerated() {
            guard let rows = PixelFont.glyphs[character] else { continue }
            for (row, bits) in rows.enumerated() {
                for column in 0..<3 where bits & (4 >> column) != 0 {
                    for dy in 0..<scale { for dx in 0..<scale { plot(x + (index * 4 + column) * scale + dx, y + row * scale + dy, value) } }
                }
            }
        }
    }

}
