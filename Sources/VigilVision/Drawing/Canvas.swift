/// Drawing on a grey image, for the annotated video and the heatmap: lines, boxes,
/// polygons and short labels in a 3×5 pixel font (digits, upper-case letters and a few
/// signs), scaled up by whole pixels. Everything is clipped to the image.
public struct Canvas {
    public var image: GrayImage

    public init(_ image: GrayImage) { self.image = image }

    public mutating func plot(_ x: Int, _ y: Int, _ value: UInt8) {
        guard x >= 0 && y >= 0 && x < image.width && y < image.height else { return }
        image.pixels[y * image.width + x] = value
    }

    /// Bresenham's line; `dash` > 0 draws `dash` pixels on, `dash` off.
    public mutating func line(from a: Point, to b: Point, value: UInt8, dash: Int = 0) {
        var x0 = Int(a.x.rounded()), y0 = Int(a.y.rounded())
        let x1 = Int(b.x.rounded()), y1 = Int(b.y.rounded())
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var error = dx + dy, step = 0
        // Bounded: a line can never need more steps than its longer side.
        for _ in 0...(dx + abs(dy)) {
            if dash == 0 || (step / dash) % 2 == 0 { plot(x0, y0, value) }
            step += 1
            if x0 == x1 && y0 == y1 { break }
            let doubled = 2 * error
            if doubled >= dy { error += dy; x0 += sx }
            if doubled <= dx { error += dx; y0 += sy }
        }
    }

    public mutating func rectangle(_ box: Box, value: UInt8) {
        let a = Point(x: box.x, y: box.y), b = Point(x: box.x + box.width - 1, y: box.y)
        let c = Point(x: box.x + box.width - 1, y: box.y + box.height - 1), d = Point(x: box.x, y: box.y + box.height - 1)
        line(from: a, to: b, value: value); line(from: b, to: c, value: value)
        line(from: c, to: d, value: value); line(from: d, to: a, value: value)
    }

    public mutating func polygon(_ points: [Point], value: UInt8, dash: Int = 0) {
        for index in points.indices { line(from: points[index], to: points[(index + 1) % points.count], value: value, dash: dash) }
    }

    /// Text with its top-left corner at (x, y), on a dark backing so it reads on any scene.
    public mutating func text(_ string: String, x: Int, y: Int, scale: Int = 1, value: UInt8 = 255) {
        let characters = Array(string.uppercased())
        let width = characters.count * 4 * scale + scale, height = 7 * scale
        for yy in (y - scale)..<(y - scale + height) { for xx in (x - scale)..<(x - scale + width) { plot(xx, yy, 0) } }
        for (index, character) in characters.enumerated() {
            guard let rows = Self.font[character] else { continue }
            for (row, bits) in rows.enumerated() {
                for column in 0..<3 where bits & (4 >> column) != 0 {
                    for dy in 0..<scale { for dx in 0..<scale { plot(x + (index * 4 + column) * scale + dx, y + row * scale + dy, value) } }
                }
            }
        }
    }

    /// 3×5 glyphs, one row per entry, bit 2 = left column.
    static let font: [Character: [UInt8]] = [
        "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7], "4": [5, 5, 7, 1, 1],
        "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 2, 2], "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7],
        "A": [2, 5, 7, 5, 5], "B": [6, 5, 6, 5, 6], "C": [7, 4, 4, 4, 7], "D": [6, 5, 5, 5, 6], "E": [7, 4, 6, 4, 7],
        "F": [7, 4, 6, 4, 4], "G": [7, 4, 5, 5, 7], "H": [5, 5, 7, 5, 5], "I": [7, 2, 2, 2, 7], "J": [1, 1, 1, 5, 7],
        "K": [5, 5, 6, 5, 5], "L": [4, 4, 4, 4, 7], "M": [5, 7, 7, 5, 5], "N": [6, 5, 5, 5, 5], "O": [7, 5, 5, 5, 7],
        "P": [7, 5, 7, 4, 4], "Q": [7, 5, 5, 7, 1], "R": [6, 5, 6, 5, 5], "S": [7, 4, 7, 1, 7], "T": [7, 2, 2, 2, 2],
        "U": [5, 5, 5, 5, 7], "V": [5, 5, 5, 5, 2], "W": [5, 5, 7, 7, 5], "X": [5, 5, 2, 5, 5], "Y": [5, 5, 2, 2, 2],
        "Z": [7, 1, 2, 4, 7], "-": [0, 0, 7, 0, 0], ":": [0, 2, 0, 2, 0], ".": [0, 0, 0, 0, 2], "/": [1, 1, 2, 4, 4],
        ">": [4, 2, 1, 2, 4], "<": [1, 2, 4, 2, 1], "_": [0, 0, 0, 0, 7], "#": [5, 7, 5, 7, 5], " ": [0, 0, 0, 0, 0], "%": [5, 1, 2, 4, 5],
    ]
}
