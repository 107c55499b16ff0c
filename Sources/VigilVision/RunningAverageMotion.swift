/// A deliberately simple baseline motion step: absolute difference against a
/// running-average background (Frigate's basic detector, without its extras).
/// It exists so the pipeline, masks and reports have a real producer; the motion
/// issue replaces it with a model chosen by measurement.
public struct RunningAverageMotion: MotionModel {
    public var threshold: Int
    /// Learning rate in 1/256 steps; 8 ≈ α 0.03.
    public var learningRate: Int
    /// Frames used to learn the background before anything is reported.
    public var warmUpFrames: Int

    // Background in 8.8 fixed point so slow drift is followed without floats.
    private var background: [Int32] = []
    private var mask = GrayImage(width: 0, height: 0)
    private var framesSeen = 0

    public init(threshold: Int = 25, learningRate: Int = 8, warmUpFrames: Int = 10) {
        self.threshold = threshold
        self.learningRate = learningRate
        self.warmUpFrames = warmUpFrames
    }

    public var stageName: String { "motion" }
    public var isLearning: Bool { framesSeen <= warmUpFrames }
    /// Blobs are not cut, so no perspective filters them.
    public var perspective: PerspectiveScale? { nil }
    public var ignoreMask: ZoneMask?
    public var lastMask: GrayImage? { framesSeen > 0 ? mask : nil }

    public mutating func reset() {
        framesSeen = 0
    }

    public mutating func analyze(_ image: GrayImage) -> FrameObservation {
        let count = image.width * image.height
        if background.count != count || mask.width != image.width || mask.height != image.height {
            background = [Int32](repeating: 0, count: count)
            mask = GrayImage(width: image.width, height: image.height)
            framesSeen = 0
        }
        let learning = framesSeen < warmUpFrames ? 64 : Int32(learningRate)
        let first = framesSeen == 0
        let limit = Int32(threshold) << 8
        var foreground = 0
        image.pixels.withUnsafeBufferPointer { input in
            background.withUnsafeMutableBufferPointer { model in
                mask.pixels.withUnsafeMutableBufferPointer { out in
                    for i in 0..<count {
                        let value = Int32(input[i]) << 8
                        if first { model[i] = value }
                        let difference = value - model[i]
                        let moving = difference > limit || difference < -limit
                        out[i] = moving ? 255 : 0
                        if moving { foreground &+= 1 }
                        model[i] += (difference * Int32(learning)) >> 8
                    }
                }
            }
        }
        framesSeen += 1
        if let ignoreMask, ignoreMask.width == image.width, ignoreMask.height == image.height {
            ignoreMask.bits.withUnsafeBufferPointer { ignored in
                mask.pixels.withUnsafeMutableBufferPointer { out in
                    for i in 0..<count where ignored[i] != 0 && out[i] != 0 {
                        out[i] = 0
                        foreground -= 1
                    }
                }
            }
        }
        if framesSeen <= warmUpFrames {
            mask.pixels.withUnsafeMutableBufferPointer { out in out.update(repeating: 0) }
            return FrameObservation(motionFraction: 0)
        }
        return FrameObservation(motionFraction: count > 0 ? Double(foreground) / Double(count) : 0)
    }
}
