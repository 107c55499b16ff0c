/// Shrinks an 8-bit plane by whole factors (kx across, ky down; equal unless the pixels are
/// not square), each output pixel the rounded mean of its kx×ky block: what an area filter computes at a whole ratio, in one
/// pass over the source.
///
/// The common camera case (1920×1080 analysed at 480×270, k = 4) used to go through
/// libswscale, which filters every source row horizontally and then vertically and cost
/// about a third of a millisecond a frame, the largest part of the analysis next to
/// decoding. Blocks four pixels wide (4×4, and 4×3 for 1080p shown 4:3) are summed a 32-bit
/// word per block row: its four bytes added in pairs into two 16-bit lanes, the block's rows
/// added lane by lane, the two lanes at the end; a plain loop over output pixels that the
/// compiler vectorises (four output pixels a 128-bit register), with nothing stored between.
/// Other factors sum the k source rows of an output row column by column into 16-bit lanes
/// and divide each sum of k columns once. Every source byte is read exactly once. Nothing is
/// allocated per frame after the first.
public struct BoxDownscaler: Sendable {
    /// The largest block handled: a sum of kx × ky bytes must fit in 16 bits.
    public static let largestArea = 257
    private var columnSums: [UInt16] = []

    public init() {}

    /// The whole factors that map a `sourceWidth`×`sourceHeight` plane onto `width`×`height`,
    /// or nil when there are none (then another scaler has to do the work).
    public static func factors(sourceWidth: Int, sourceHeight: Int, width: Int, height: Int) -> (x: Int, y: Int)? {
        guard width > 0, height > 0, sourceWidth % width == 0, sourceHeight % height == 0 else { return nil }
        let kx = sourceWidth / width, ky = sourceHeight / height
        // Square blocks, and 4×3 (anamorphic 1080p shown 4:3): other oblong blocks went
        // through the column sums at 0.33–0.51 ms a frame against libswscale's 0.38.
        guard kx >= 2, kx == ky || (kx == 4 && ky == 3), kx * ky <= largestArea else { return nil }
        return (kx, ky)
    }

    /// Writes the `width`×`height` block means of `source` (rows `sourceStride` bytes
    /// apart, at least `width × kx` pixels wide and `height × ky` rows tall) into
    /// `destination` (rows packed).
    public mutating func downscale(source: UnsafePointer<UInt8>, sourceStride: Int, factors: (x: Int, y: Int),
                                   width: Int, height: Int, into destination: UnsafeMutablePointer<UInt8>) {
        let k = factors.x, ky = factors.y
        precondition(k >= 1 && ky >= 1 && k * ky <= Self.largestArea, "box factors out of range")
        if k == 4 && (ky == 4 || ky == 3) {
            Self.downscaleFourWide(source: source, sourceStride: sourceStride, rows: ky, width: width, height: height, into: destination)
            return
        }
        let span = width * k
        if columnSums.count < span { columnSums = [UInt16](repeating: 0, count: span) }
        let area = UInt32(k * ky)
        // floor((s + area/2) / area) as a multiply and a shift: exact for every s < 2^16
        // (the error of the rounded-up reciprocal stays below 1/area).
        let reciprocal = UInt64((UInt64(1) << 32) + UInt64(area) - 1) / UInt64(area)
        let half = area / 2
        columnSums.withUnsafeMutableBufferPointer { sumsBuffer in
            let sums = sumsBuffer.baseAddress!
            for y in 0..<height {
                let top = source + y * ky * sourceStride
                let out = destination + y * width
                var row = top
                for x in 0..<span { sums[x] = UInt16(row[x]) }
                for _ in 1..<ky {
                    row += sourceStride
                    for x in 0..<span { sums[x] &+= UInt16(row[x]) }
                }
                for x in 0..<width {
                    let s = sums + k * x
                    var total: UInt32 = 0
                    for j in 0..<k { total &+= UInt32(s[j]) }
                    out[x] = UInt8(truncatingIfNeeded: (UInt64(total &+ half) &* reciprocal) &>> 32)
                }
            }
        }
    }

    /// 4×4 and 4×3 blocks (see the type's comment). A row's word holds at most 4 × 255 in
    /// its two lanes, the block's at most 4 × 510: no lane overflows.
    private static func downscaleFourWide(source: UnsafePointer<UInt8>, sourceStride: Int, rows: Int, width: Int, height: Int,
                                          into destination: UnsafeMutablePointer<UInt8>) {
        // floor((s + 6) / 12) as (s + 6) × ⌈2^20 / 12⌉ >> 20: exact for s ≤ 3060 (the
        // rounded-up multiplier's error, 8 / (12 × 2^20) a unit, stays under 1/12 there),
        // and in 32 bits, which vectorise where 64-bit products do not.
        let multiplier: UInt32 = ((1 << 20) + 11) / 12
        func word(_ row: UnsafeRawPointer, _ x: Int) -> UInt32 { row.loadUnaligned(fromByteOffset: 4 * x, as: UInt32.self) }
        func pairs(_ word: UInt32) -> UInt32 { (word & 0x00FF_00FF) &+ ((word &>> 8) & 0x00FF_00FF) }
        for y in 0..<height {
            let r0 = UnsafeRawPointer(source + y * rows * sourceStride), r1 = r0 + sourceStride, r2 = r1 + sourceStride
            let out = destination + y * width
            if rows == 4 {
                let r3 = r2 + sourceStride
                for x in 0..<width {
                    let lanes = pairs(word(r0, x)) &+ pairs(word(r1, x)) &+ pairs(word(r2, x)) &+ pairs(word(r3, x))
                    out[x] = UInt8(truncatingIfNeeded: ((lanes & 0xFFFF) &+ (lanes &>> 16) &+ 8) &>> 4)
                }
            } else {
                for x in 0..<width {
                    let lanes = pairs(word(r0, x)) &+ pairs(word(r1, x)) &+ pairs(word(r2, x))
                    out[x] = UInt8(truncatingIfNeeded: (((lanes & 0xFFFF) &+ (lanes &>> 16) &+ 6) &* multiplier) &>> 20)
                }
            }
        }
    }
}
