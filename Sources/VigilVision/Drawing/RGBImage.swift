/// A colour picture, 3 bytes a pixel (red, green, blue), rows packed: what the annotated
/// video at the source's size is drawn on before libavcodec encodes it.
public struct RGBImage: Sendable, Equatable, CanvasSurface {
    public struct Colour: Sendable, Equatable {
        public var red: UInt8, green: UInt8, blue: UInt8
        public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) { self.red = red; self.green = green; self.blue = blue }
    }

    public private(set) var width: Int
    public private(set) var height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int) {
        precondition(width >= 0 && height >= 0, "image size must not be negative")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
    }

    public static var black: Colour { Colour(0, 0, 0) }
    public static var white: Colour { Colour(255, 255, 255) }

    @inlinable public mutating func set(_ x: Int, _ y: Int, _ pixel: Colour) {
        let i = 3 * (y * width + x)
        pixels[i] = pixel.red; pixels[i + 1] = pixel.green; pixels[i + 2] = pixel.blue
    }

    public subscript(x: Int, y: Int) -> Colour {
        let i = 3 * (y * width + x)
        return Colour(pixels[i], pixels[i + 1], pixels[i + 2])
    }
}
