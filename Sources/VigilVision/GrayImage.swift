/// An 8-bit single-channel image, rows packed without padding.
///
/// This is the analysis frame's pixel store: the media layer scales decoded luma
/// straight into `pixels`, and vision code reads it through buffer pointers.
public struct GrayImage: Sendable, Equatable {
    public private(set) var width: Int
    public private(set) var height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, fill: UInt8 = 0) {
        precondition(width >= 0 && height >= 0, "image size must not be negative")
        self.width = width
        self.height = height
        self.pixels = [UInt8](repeating: fill, count: width * height)
    }

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height, "pixel count must equal width × height")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The share of `box`'s pixels (clipped to the picture) that are not 0: how much of it a
    /// mask covers. 0 for a box outside the picture.
    public func nonZeroShare(in box: Box) -> Double {
        let (columns, rows) = box.pixelSpan(width: width, height: height)
        guard !columns.isEmpty, !rows.isEmpty else { return 0 }
        var count = 0
        pixels.withUnsafeBufferPointer { pixels in
            for y in rows {
                for x in columns where pixels[y * width + x] != 0 { count += 1 }
            }
        }
        return Double(count) / Double(columns.count * rows.count)
    }

    /// Changes the size, reusing the existing storage when it is large enough so a
    /// pooled frame does not reallocate when the source keeps its resolution.
    public mutating func resize(width: Int, height: Int) {
        guard width != self.width || height != self.height else { return }
        self.width = width
        self.height = height
        let count = width * height
        if pixels.count < count {
            pixels.append(contentsOf: repeatElement(0, count: count - pixels.count))
        } else if pixels.count > count {
            pixels.removeLast(pixels.count - count)
        }
    }

    @inlinable
    public subscript(x: Int, y: Int) -> UInt8 {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    /// Mean intensity, used by tests and light-change checks.
    public func mean() -> Double {
        guard !pixels.isEmpty else { return 0 }
        var total = 0
        pixels.withUnsafeBufferPointer { buffer in
            for value in buffer { total &+= Int(value) }
        }
        return Double(total) / Double(pixels.count)
    }
}
