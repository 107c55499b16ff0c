/// A picture `Canvas` can draw on: grey analysis frames, or colour ones at the source's size.
public protocol CanvasSurface {
    associatedtype Pixel
    var width: Int { get }
    var height: Int { get }
    /// The text backing and the text.
    static var black: Pixel { get }
    static var white: Pixel { get }
    /// Sets one pixel; the canvas has already clipped (x, y) to the picture.
    mutating func set(_ x: Int, _ y: Int, _ pixel: Pixel)
}

extension GrayImage: CanvasSurface {
    public static var black: UInt8 { 0 }
    public static var white: UInt8 { 255 }
    @inlinable public mutating func set(_ x: Int, _ y: Int, _ pixel: UInt8) { pixels[y * width + x] = pixel }
}
