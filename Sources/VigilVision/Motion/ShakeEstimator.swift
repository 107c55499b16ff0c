/// Measures how far a camera's picture has shifted against its background model (a pole
/// that sways in wind, a bridge under a lorry) and brings the frame back into line.
///
/// A shift of one or two pixels turns every sharp edge of the scene (lane markings, kerbs,
/// railings) into foreground: on m30-hd the camera jumps 1.2 and 1.7 source pixels in its
/// last two frames, and Vigil's tracks went from 45 to 105 in one frame. Large moves are
/// learned anew by the model (`globalChangeFraction`); these small ones are not large enough.
///
/// The shift is measured in 3 × 3 tiles, each from its row and column profiles (the sums of
/// its rows and of its columns): the offset that best lines up the profiles' differences with
/// the reference's, to a fraction of a pixel by a parabola through the best three. The
/// median over the tiles leaves out those where objects move. A shift is only accepted when
/// it makes the frame clearly closer to the reference (mean absolute difference on a sparse
/// grid at most `acceptance` times what it was): traffic moving one way through most of the
/// picture shifts the profiles too, and then the frame does not come closer (HighwayII,
/// where the profiles alone said up to 3 pixels on a still camera).
///
/// Cost on a still camera: one pass over the frame and one over the reference for the
/// profiles, and the matching on a few hundred sums; the check and the resampling run only
/// on frames measured as shifted.
public struct ShakeEstimator: Sendable {
    /// Shifts smaller than this (pixels, either axis) are left alone.
    public var deadZone = 0.25
    /// The largest shift looked for, in pixels.
    public var largestShift = 3
    /// A shift is taken when the shifted frame's difference from the reference is at most
    /// this fraction of the unshifted frame's.
    public var acceptance = 0.8
    /// The reference's profiles are measured again every this many frames: the background
    /// model changes slowly, and measuring it every frame doubled the estimator's cost.
    public var referenceEvery = 8
    static let tiles = 3

    /// The last shift accepted (zero when none was).
    public private(set) var lastShift = (x: 0.0, y: 0.0)
    /// The last frame's median offsets, and its differences from the reference before and
    /// after that shift when it was checked (zero when not): why a shift was or was not taken.
    public private(set) var lastCandidate = (x: 0.0, y: 0.0, before: 0.0, after: 0.0)
    /// Frames brought back into line so far.
    public private(set) var framesShifted = 0

    /// The profiles' differences from one row (column) to the next, per tile column (row):
    /// what is matched, since it ignores the brightness of a whole tile.
    private var rowSteps: [Float] = []
    private var columnSteps: [Float] = []
    private var referenceRowSteps: [Float] = []
    private var referenceColumnSteps: [Float] = []
    private var columnSums: [UInt32] = []
    private var columnLanes: [UInt16] = []
    /// Per tile, the offsets measured, and the costs of each offset tried (reused storage).
    private var shiftsX: [Double] = [], shiftsY: [Double] = []
    private var costs: [Double] = []
    /// Frames measured since the reference's profiles were (nil: they are out of date).
    private var referenceAge: Int?

    public init() {}

    /// The shift of `frame` against `reference` (both `width` × `height`, rows packed), or
    /// nil when there is none worth correcting: frame(x + dx, y + dy) ≈ reference(x, y).
    public mutating func measure(frame: UnsafePointer<UInt8>, reference: UnsafePointer<UInt8>, width: Int, height: Int) -> (x: Double, y: Double)? {
        lastShift = (0, 0)
        let tiles = Self.tiles
        // Tiles too small to hold a profile worth matching: nothing is measured.
        guard width >= tiles * (4 * largestShift + 8), height >= tiles * (4 * largestShift + 8) else { return nil }
        Self.profiles(of: frame, width: width, height: height, rows: &rowSteps, columns: &columnSteps, scratch: &columnSums, lanes: &columnLanes)
        if let age = referenceAge, age < referenceEvery, referenceRowSteps.count == Self.tiles * height,
           referenceColumnSteps.count == Self.tiles * width {
            referenceAge = age + 1
        } else {
            Self.profiles(of: reference, width: width, height: height, rows: &referenceRowSteps, columns: &referenceColumnSteps, scratch: &columnSums, lanes: &columnLanes)
            referenceAge = 1
        }
        shiftsX.removeAll(keepingCapacity: true)
        shiftsY.removeAll(keepingCapacity: true)
        for ty in 0..<tiles {
            let top = ty * height / tiles, bottom = (ty + 1) * height / tiles
            for tx in 0..<tiles {
                let left = tx * width / tiles, right = (tx + 1) * width / tiles
                // Row profile of this tile: the tile's column band, rows top..<bottom.
                shiftsY.append(Self.offset(reference: referenceRowSteps, frame: rowSteps, base: tx * height, range: top..<bottom,
                                           largest: largestShift, costs: &costs))
                shiftsX.append(Self.offset(reference: referenceColumnSteps, frame: columnSteps, base: ty * width, range: left..<right,
                                           largest: largestShift, costs: &costs))
            }
        }
        shiftsX.sort()
        shiftsY.sort()
        let dx = shiftsX[shiftsX.count / 2], dy = shiftsY[shiftsY.count / 2]
        lastCandidate = (dx, dy, 0, 0)
        guard abs(dx) >= deadZone || abs(dy) >= deadZone else { return nil }
        let margin = largestShift + 1
        let before = Self.difference(frame: frame, reference: reference, width: width, height: height, shift: (0, 0), margin: margin)
        let after = Self.difference(frame: frame, reference: reference, width: width, height: height, shift: (dx, dy), margin: margin)
        lastCandidate = (dx, dy, before, after)
        guard after <= acceptance * before else { return nil }
        lastShift = (dx, dy)
        framesShifted += 1
        return (dx, dy)
    }

    /// The reference has changed as a whole (the model learned anew): its profiles are
    /// measured again next time.
    public mutating func forgetReference() { referenceAge = nil }

    /// Writes frame(x + dx, y + dy) into `output` (bilinear, weights in 128ths; edges repeated).
    public static func shift(_ frame: UnsafePointer<UInt8>, by shift: (x: Double, y: Double), width: Int, height: Int,
                             into output: UnsafeMutablePointer<UInt8>) {
        let sx = split(shift.x), sy = split(shift.y)
        typealias Lanes = SIMD16<UInt8>
        let weights = Bilinear(x: sx.fraction, y: sy.fraction)
        // Columns whose source pixels x + whole and x + whole + 1 both lie inside the row.
        let firstInside = max(0, -sx.whole), endInside = min(width, width - 1 - sx.whole)
        for y in 0..<height {
            let y0 = min(height - 1, max(0, y + sy.whole)), y1 = min(height - 1, max(0, y + sy.whole + 1))
            let row0 = frame + y0 * width, row1 = frame + y1 * width
            let out = output + y * width
            @inline(__always) func pixel(_ x: Int) -> UInt8 {
                let x0 = min(width - 1, max(0, x + sx.whole)), x1 = min(width - 1, max(0, x + sx.whole + 1))
                let top = (UInt16(row0[x0]) * (128 - sx.fraction) + UInt16(row0[x1]) * sx.fraction + 64) >> 7
                let bottom = (UInt16(row1[x0]) * (128 - sx.fraction) + UInt16(row1[x1]) * sx.fraction + 64) >> 7
                return UInt8(truncatingIfNeeded: (top * (128 - sy.fraction) + bottom * sy.fraction + 64) >> 7)
            }
            var x = 0
            while x < min(firstInside, width) { out[x] = pixel(x); x += 1 }
            let a = UnsafeRawPointer(row0 + sx.whole), b = UnsafeRawPointer(row1 + sx.whole)
            while x + 16 <= endInside {
                let value = weights.blend(a, b, at: x)
                UnsafeMutableRawPointer(out).storeBytes(of: Lanes(truncatingIfNeeded: value), toByteOffset: x, as: Lanes.self)
                x += 16
            }
            while x < width { out[x] = pixel(x); x += 1 }
        }
    }

    /// Per tile column, the steps from each row's sum across it to the next row's (`rows`, tile
    /// column-major, `height` each); per tile row, the steps from each column's sum down it (of
    /// every other row: half the work, and a column profile needs no finer rows) to the next
    /// column's (`columns`, `width` each). The last step of each is zero.
    private static func profiles(of image: UnsafePointer<UInt8>, width: Int, height: Int, rows: inout [Float], columns: inout [Float],
                                 scratch: inout [UInt32], lanes: inout [UInt16]) {
        let tiles = Self.tiles
        if rows.count != tiles * height { rows = [Float](repeating: 0, count: tiles * height) }
        if columns.count != tiles * width { columns = [Float](repeating: 0, count: tiles * width) }
        if scratch.count != tiles * width { scratch = [UInt32](repeating: 0, count: tiles * width) }
        if lanes.count != width + 16 { lanes = [UInt16](repeating: 0, count: width + 16) }
        typealias Bytes = SIMD16<UInt8>
        typealias Wide = SIMD16<UInt16>
        rows.withUnsafeMutableBufferPointer { rowSteps in
            columns.withUnsafeMutableBufferPointer { columnSteps in
                scratch.withUnsafeMutableBufferPointer { columnSums in
                    lanes.withUnsafeMutableBufferPointer { wide in
                        columnSums.update(repeating: 0)
                        // Column sums gather in 16-bit lanes (sixteen columns an instruction) and
                        // move to 32 bits at the end of each band, or every 256 rows added.
                        let accumulator = UnsafeMutableRawPointer(wide.baseAddress!)
                        wide.update(repeating: 0)
                        var added = 0, band = 0
                        func flush(into band: Int) {
                            let sums = columnSums.baseAddress! + band * width
                            for x in 0..<width { sums[x] &+= UInt32(wide[x]) }
                            wide.update(repeating: 0)
                            added = 0
                        }
                        for y in 0..<height {
                            let line = UnsafeRawPointer(image + y * width)
                            let rowBand = y * tiles / height
                            if rowBand != band { flush(into: band); band = rowBand }
                            if y & 1 == 0 {
                                var x = 0
                                while x + 16 <= width {
                                    let sum = accumulator.loadUnaligned(fromByteOffset: 2 * x, as: Wide.self)
                                        &+ Wide(truncatingIfNeeded: line.loadUnaligned(fromByteOffset: x, as: Bytes.self))
                                    accumulator.storeBytes(of: sum, toByteOffset: 2 * x, as: Wide.self)
                                    x += 16
                                }
                                while x < width { wide[x] &+= UInt16(image[y * width + x]); x += 1 }
                                added += 1
                                if added == 256 { flush(into: band) }
                            }
                            for tx in 0..<tiles {
                                let left = tx * width / tiles, right = (tx + 1) * width / tiles
                                var x = left, sum: UInt32 = 0
                                // Every other sixteen columns: half the work, and still hundreds of
                                // pixels a row (the same ones in the frame and the reference). A
                                // lane holds at most 255 × 256 between emptyings.
                                while x + 16 <= right {
                                    var lane = Wide(repeating: 0)
                                    var chunks = 0
                                    while x + 16 <= right && chunks < 256 {
                                        lane &+= Wide(truncatingIfNeeded: line.loadUnaligned(fromByteOffset: x, as: Bytes.self))
                                        x += 32
                                        chunks += 1
                                    }
                                    sum &+= SIMD16<UInt32>(truncatingIfNeeded: lane).wrappedSum()
                                }
                                rowSteps[tx * height + y] = Float(sum)
                            }
                        }
                        flush(into: band)
                    }
                    for tx in 0..<tiles {
                        let profile = rowSteps.baseAddress! + tx * height
                        for y in 0..<(height - 1) { profile[y] = profile[y + 1] - profile[y] }
                        profile[height - 1] = 0
                    }
                    for ty in 0..<tiles {
                        let sums = columnSums.baseAddress! + ty * width, steps = columnSteps.baseAddress! + ty * width
                        for x in 0..<(width - 1) { steps[x] = Float(sums[x + 1]) - Float(sums[x]) }
                        steps[width - 1] = 0
                    }
                }
            }
        }
    }

    /// The offset s (within ±largest, to a fraction) that best lines up `frame`'s profile
    /// steps, shifted by s, with `reference`'s over `range` (least squares).
    private static func offset(reference: [Float], frame: [Float], base: Int, range: Range<Int>, largest: Int, costs: inout [Double]) -> Double {
        // Compared where every shift finds a step inside the range.
        let first = range.lowerBound + largest, end = range.upperBound - largest - 1
        guard end > first else { return 0 }
        func cost(_ s: Int) -> Double {
            reference.withUnsafeBufferPointer { ref in
                frame.withUnsafeBufferPointer { cur in
                    var total: Float = 0
                    for i in first..<end {
                        let difference = ref[base + i] - cur[base + i + s]
                        total += difference * difference
                    }
                    return Double(total)
                }
            }
        }
        // A still camera's best offset is 0: the two either side place it to a fraction, and
        // the farther offsets are tried only when one of those fits better.
        let left = cost(-1), centre = cost(0), right = cost(1)
        if centre <= left && centre <= right {
            let curvature = left - 2 * centre + right
            return curvature > 0 ? (left - right) / (2 * curvature) : 0
        }
        costs.removeAll(keepingCapacity: true)
        for s in -largest...largest {
            costs.append(s == -1 ? left : s == 0 ? centre : s == 1 ? right : cost(s))
        }
        var best = 0
        for index in costs.indices where costs[index] < costs[best] { best = index }
        var fraction = 0.0
        if best > 0 && best < costs.count - 1 {
            let left = costs[best - 1], centre = costs[best], right = costs[best + 1]
            let curvature = left - 2 * centre + right
            if curvature > 0 { fraction = (left - right) / (2 * curvature) }
        }
        return Double(best - largest) + fraction
    }

    /// Bilinear weights in 128ths, sixteen pixels at a time in 16 bits (each product is at most
    /// 255 × 128): the kernel `shift` writes with and `difference` checks with.
    struct Bilinear {
        let x: SIMD16<UInt16>, x0: SIMD16<UInt16>, y: SIMD16<UInt16>, y0: SIMD16<UInt16>
        let half = SIMD16<UInt16>(repeating: 64), seven = SIMD16<UInt16>(repeating: 7)

        init(x: UInt16, y: UInt16) {
            self.x = SIMD16(repeating: x)
            x0 = SIMD16(repeating: 128 - x)
            self.y = SIMD16(repeating: y)
            y0 = SIMD16(repeating: 128 - y)
        }

        /// Pixels x…x+15 between row `a` (and its next pixels) and row `b` below it.
        @inline(__always) func blend(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, at offset: Int) -> SIMD16<UInt16> {
            let a0 = SIMD16<UInt16>(truncatingIfNeeded: a.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self))
            let a1 = SIMD16<UInt16>(truncatingIfNeeded: a.loadUnaligned(fromByteOffset: offset + 1, as: SIMD16<UInt8>.self))
            let b0 = SIMD16<UInt16>(truncatingIfNeeded: b.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self))
            let b1 = SIMD16<UInt16>(truncatingIfNeeded: b.loadUnaligned(fromByteOffset: offset + 1, as: SIMD16<UInt8>.self))
            let top = (a0 &* x0 &+ a1 &* x &+ half) &>> seven
            let bottom = (b0 &* x0 &+ b1 &* x &+ half) &>> seven
            return (top &* y0 &+ bottom &* y &+ half) &>> seven
        }
    }

    /// The shift as whole pixels and 128ths, a fraction that rounds up to 128 carried over.
    static func split(_ value: Double) -> (whole: Int, fraction: UInt16) {
        let steps = Int((value * 128).rounded())
        let whole = steps >= 0 ? steps / 128 : -((-steps + 127) / 128)
        return (whole, UInt16(steps - whole * 128))
    }

    /// Mean absolute difference between frame(x + dx, y + dy) (bilinear, as `shift` computes
    /// it) and reference(x, y), on every fourth row, at least `margin` from the edges.
    private static func difference(frame: UnsafePointer<UInt8>, reference: UnsafePointer<UInt8>, width: Int, height: Int,
                                   shift: (x: Double, y: Double), margin: Int) -> Double {
        let sx = split(shift.x), sy = split(shift.y)
        typealias Lanes = SIMD16<UInt8>
        typealias Wide = SIMD16<UInt16>
        let weights = Bilinear(x: sx.fraction, y: sy.fraction)
        var total: UInt64 = 0, samples = 0
        var y = margin
        while y < height - margin {
            let a = UnsafeRawPointer(frame + (y + sy.whole) * width + sx.whole), b = a + width
            let target = UnsafeRawPointer(reference + y * width)
            var x = margin, sum = SIMD16<UInt16>(repeating: 0)
            // At most 255 a lane for each of these sixteen-pixel steps: a row of 4,096 fits.
            while x + 16 <= width - margin {
                let value = weights.blend(a, b, at: x)
                let wanted = Wide(truncatingIfNeeded: target.loadUnaligned(fromByteOffset: x, as: Lanes.self))
                sum &+= (value &- wanted).replacing(with: wanted &- value, where: value .< wanted)
                x += 16
                samples += 16
                if samples & 4095 == 0 {
                    total += UInt64(SIMD16<UInt32>(truncatingIfNeeded: sum).wrappedSum())
                    sum = SIMD16<UInt16>(repeating: 0)
                }
            }
            total += UInt64(SIMD16<UInt32>(truncatingIfNeeded: sum).wrappedSum())
            y += 4
        }
        return samples > 0 ? Double(total) / Double(samples) : 0
    }
}
