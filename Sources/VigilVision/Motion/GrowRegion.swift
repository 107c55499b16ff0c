/// A rectangle of the frame that hysteresis visits: one seed blob's box widened by the
/// grow steps, clipped to the frame (`left..<right`, `top..<bottom`).
struct GrowRegion {
    var left: Int, right: Int, top: Int, bottom: Int
}
