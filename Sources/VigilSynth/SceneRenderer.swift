import VigilVision

/// The exact truth for one rendered frame.
public struct FrameTruth: Sendable, Equatable {
    public struct Object: Sendable, Equatable {
        public var id: Int
        public var kind: ObjectKind
        /// Box of the visible pixels, in image pixels.
        public var box: Box
    }
    public var frame: Int
    public var objects: [Object]
    /// Number of foreground pixels in the mask.
    public var foregroundPixels: Int
}

/// Renders a `SceneSpec` frame by frame: textured background, optional swaying
/// region, objects, camera shake, light changes and sensor noise, with an exact
/// foreground mask (pixels covered by objects, before noise).
public struct SceneRenderer {
    public let spec: SceneSpec
    private let margin: Int
    private let worldWidth: Int
    private let worldHeight: Int
    private let background: [UInt8]
    private let foliage: [UInt8]
    private let noiseTable: [Int16]

    public init(spec: SceneSpec) {
        precondition(spec.width > 0 && spec.height > 0 && spec.frameCount >= 0)
        self.spec = spec
        margin = max(0, spec.shakePixels)
        worldWidth = spec.width + 2 * margin
        worldHeight = spec.height + 2 * margin
        var random = SeededRandom(seed: spec.seed)
        background = Self.valueNoise(width: worldWidth, height: worldHeight, cells: [24, 6], low: 70, high: 180, random: &random)
        foliage = Self.valueNoise(width: worldWidth, height: worldHeight, cells: [5, 2], low: 35, high: 150, random: &random)
        noiseTable = (0..<4096).map { _ in Int16((random.gaussian() * spec.noiseSigma).rounded()) }
    }

    /// Renders `frame` into `image` and its foreground mask into `mask` (255 = object).
    public func render(frame: Int, into image: inout GrayImage, mask: inout GrayImage) -> FrameTruth {
        let width = spec.width, height = spec.height
        if image.width != width || image.height != height { image = GrayImage(width: width, height: height) }
        if mask.width != width || mask.height != height { mask = GrayImage(width: width, height: height) }
        var random = SeededRandom(seed: spec.seed ^ (UInt64(frame) &* 0x9E37_79B9_7F4A_7C15 &+ 1))
        let shakeX = margin > 0 ? Int(random.next() % UInt64(2 * margin + 1)) - margin : 0
        let shakeY = margin > 0 ? Int(random.next() % UInt64(2 * margin + 1)) - margin : 0
        let originX = margin + shakeX, originY = margin + shakeY

        // Background, with the sway region's texture displaced along each row.
        var swayRows: (top: Int, bottom: Int, left: Int, right: Int)? = nil
        if let sway = spec.sway {
            swayRows = (Int(sway.box.y * Double(worldHeight)), Int((sway.box.y + sway.box.height) * Double(worldHeight)),
                        Int(sway.box.x * Double(worldWidth)), Int((sway.box.x + sway.box.width) * Double(worldWidth)))
        }
        image.pixels.withUnsafeMutableBufferPointer { out in
            background.withUnsafeBufferPointer { bg in
                for y in 0..<height {
                    let wy = y + originY
                    let rowStart = wy * worldWidth + originX
                    for x in 0..<width { out[y * width + x] = bg[rowStart + x] }
                }
            }
            if let sway = spec.sway, let rows = swayRows {
                foliage.withUnsafeBufferPointer { leaves in
                    for y in 0..<height {
                        let wy = y + originY
                        guard wy >= rows.top && wy < rows.bottom else { continue }
                        let phase = 2 * Double.pi * Double(frame) / sway.period + Double(wy) * 0.04
                        let offset = Int((sway.amplitude * sin(phase)).rounded())
                        for x in 0..<width {
                            let wx = x + originX
                            guard wx >= rows.left && wx < rows.right else { continue }
                            let sx = min(worldWidth - 1, max(0, wx + offset))
                            out[y * width + x] = leaves[wy * worldWidth + sx]
                        }
                    }
                }
            }
        }
        mask.pixels.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }

        // Objects, far (higher on screen) first so nearer ones cover them.
        var present: [(SceneObject, Point)] = []
        for object in spec.objects { if let anchor = object.anchor(at: frame) { present.append((object, anchor)) } }
        present.sort { $0.1.y < $1.1.y }
        // Shadows first: they darken the ground and objects are drawn over them.
        for (object, anchor) in present {
            guard let darkness = object.shadow else { continue }
            let boxWidth = object.width * Double(width), boxHeight = object.height * Double(height)
            castShadow(darkness: darkness, footX: anchor.x * Double(width) - Double(shakeX), footY: anchor.y * Double(height) - Double(shakeY),
                       objectWidth: boxWidth, objectHeight: boxHeight, image: &image)
        }
        var truths: [FrameTruth.Object] = []
        for (object, anchor) in present {
            let boxWidth = object.width * Double(width), boxHeight = object.height * Double(height)
            let left = anchor.x * Double(width) - boxWidth / 2 - Double(shakeX)
            let top = anchor.y * Double(height) - boxHeight - Double(shakeY)
            if let box = draw(object, left: left, top: top, width: boxWidth, height: boxHeight, image: &image, mask: &mask) {
                truths.append(FrameTruth.Object(id: object.id, kind: object.kind, box: box))
            }
        }
        truths.sort { $0.id < $1.id }

        // Light, then noise, over everything the camera sees.
        let gain = lightGain(at: frame)
        var foreground = 0
        noiseTable.withUnsafeBufferPointer { noise in
            image.pixels.withUnsafeMutableBufferPointer { out in
                let applyGain = gain != 1
                let hasNoise = spec.noiseSigma > 0
                for i in 0..<out.count {
                    var value = Int(out[i])
                    if applyGain { value = Int((Double(value) * gain).rounded()) }
                    if hasNoise { value += Int(noise[Int(random.next() & 4095)]) }
                    out[i] = UInt8(clamping: value)
                }
            }
        }
        mask.pixels.withUnsafeBufferPointer { for value in $0 where value != 0 { foreground += 1 } }
        return FrameTruth(frame: frame, objects: truths, foregroundPixels: foreground)
    }

    /// Convenience for tests: a fresh image and mask.
    public func render(frame: Int) -> (image: GrayImage, mask: GrayImage, truth: FrameTruth) {
        var image = GrayImage(width: spec.width, height: spec.height)
        var mask = GrayImage(width: spec.width, height: spec.height)
        let truth = render(frame: frame, into: &image, mask: &mask)
        return (image, mask, truth)
    }

    public func lightGain(at frame: Int) -> Double {
        var gain = 1.0
        for change in spec.lightChanges {
            switch change {
            case let .ramp(start, end, from, to):
                if frame >= end { gain *= to }
                else if frame > start { gain *= from + (to - from) * Double(frame - start) / Double(max(1, end - start)) }
                else { gain *= from }
            case let .step(at, value):
                if frame >= at { gain *= value }
            }
        }
        return gain
    }

    /// A soft-edged ellipse on the ground from the object's feet towards the right, as
    /// cast by a low sun on the left: its length follows the object's height.
    private func castShadow(darkness: Double, footX: Double, footY: Double, objectWidth: Double, objectHeight: Double,
                            image: inout GrayImage) {
        let length = objectHeight * 0.9 + objectWidth / 2
        let thickness = max(objectWidth * 0.35, objectHeight * 0.12)
        let centreX = footX + length / 2 - objectWidth / 4, centreY = footY - thickness / 2
        let radiusX = length / 2, radiusY = thickness / 2
        let softness = 3.0
        let width = spec.width, height = spec.height
        let x0 = max(0, Int(centreX - radiusX)), x1 = min(width - 1, Int(centreX + radiusX) + 1)
        let y0 = max(0, Int(centreY - radiusY)), y1 = min(height - 1, Int(centreY + radiusY) + 1)
        guard x0 <= x1 && y0 <= y1 else { return }
        image.pixels.withUnsafeMutableBufferPointer { out in
            for y in y0...y1 {
                for x in x0...x1 {
                    let dx = (Double(x) + 0.5 - centreX) / radiusX, dy = (Double(y) + 0.5 - centreY) / radiusY
                    let distance = (dx * dx + dy * dy).squareRoot()
                    guard distance < 1 else { continue }
                    // Full darkness inside, fading to none over `softness` pixels at the edge.
                    let alpha = min(1, (1 - distance) * min(radiusX, radiusY) / softness)
                    let factor = 1 - (1 - darkness) * alpha
                    out[y * width + x] = UInt8(clamping: Int((Double(out[y * width + x]) * factor).rounded()))
                }
            }
        }
    }

    /// Draws one object; returns the box of its visible pixels, or nil when none are visible.
    private func draw(_ object: SceneObject, left: Double, top: Double, width boxWidth: Double, height boxHeight: Double,
                      image: inout GrayImage, mask: inout GrayImage) -> Box? {
        let width = spec.width, height = spec.height
        let x0 = max(0, Int(left.rounded(.down))), x1 = min(width - 1, Int((left + boxWidth).rounded(.up)) - 1)
        let y0 = max(0, Int(top.rounded(.down))), y1 = min(height - 1, Int((top + boxHeight).rounded(.up)) - 1)
        guard x0 <= x1 && y0 <= y1 else { return nil }
        let centreX = left + boxWidth / 2, centreY = top + boxHeight / 2
        let radiusX = boxWidth / 2, radiusY = boxHeight / 2
        var minX = Int.max, minY = Int.max, maxX = Int.min, maxY = Int.min
        let base = object.intensity
        image.pixels.withUnsafeMutableBufferPointer { out in
            mask.pixels.withUnsafeMutableBufferPointer { truth in
                for y in y0...y1 {
                    let py = Double(y) + 0.5
                    for x in x0...x1 {
                        let px = Double(x) + 0.5
                        let inside: Bool
                        switch object.kind {
                        case .person:
                            let dx = (px - centreX) / radiusX, dy = (py - centreY) / radiusY
                            inside = dx * dx + dy * dy <= 1
                        case .vehicle:
                            inside = px >= left && px < left + boxWidth && py >= top && py < top + boxHeight
                        }
                        guard inside else { continue }
                        // A coarse pattern on the surface, fixed to the object, so it has texture of its own.
                        let u = Int((px - left) / 3), v = Int((py - top) / 3)
                        let shade = (u + v) & 1 == 0 ? 10 : -10
                        out[y * width + x] = UInt8(clamping: base + shade)
                        truth[y * width + x] = 255
                        minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
                    }
                }
            }
        }
        guard minX <= maxX else { return nil }
        return Box(x: Double(minX), y: Double(minY), width: Double(maxX - minX + 1), height: Double(maxY - minY + 1))
    }

    /// Smooth random texture: the sum of bilinearly interpolated random grids.
    static func valueNoise(width: Int, height: Int, cells: [Int], low: Double, high: Double, random: inout SeededRandom) -> [UInt8] {
        var sum = [Double](repeating: 0, count: width * height)
        var weight = 1.0, totalWeight = 0.0
        for cell in cells {
            let gridWidth = width / cell + 2, gridHeight = height / cell + 2
            let grid = (0..<(gridWidth * gridHeight)).map { _ in random.unit() }
            for y in 0..<height {
                let gy = Double(y) / Double(cell), iy = Int(gy), fy = gy - Double(iy)
                for x in 0..<width {
                    let gx = Double(x) / Double(cell), ix = Int(gx), fx = gx - Double(ix)
                    let a = grid[iy * gridWidth + ix], b = grid[iy * gridWidth + ix + 1]
                    let c = grid[(iy + 1) * gridWidth + ix], d = grid[(iy + 1) * gridWidth + ix + 1]
                    let top = a + (b - a) * fx, bottom = c + (d - c) * fx
                    sum[y * width + x] += weight * (top + (bottom - top) * fy)
                }
            }
            totalWeight += weight
            weight *= 0.5
        }
        return sum.map { UInt8(clamping: Int((low + (high - low) * $0 / totalWeight).rounded())) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
