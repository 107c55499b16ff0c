/// What every motion model is configured with; fields a model does not use are ignored
/// by it (each says which model reads it).
public struct MotionSettings: Sendable, Equatable {
    /// Which background model runs (`motion: { model: ... }`). Consensus: far higher F on the
    /// five annotated sequences, better tracks of people (PETS 2009), counts on highway-cctv
    /// and crowd counts (Mall); adaptive still counts a dense jam's vehicles closer (us101;
    /// BENCHMARKS.md, issue 12).
    public var model: MotionModelKind = .consensus
    /// Foreground needs a difference above this many times the pixel's normal variation…
    public var sensitivity: Int = 3
    /// …and above this many grey levels in any case.
    public var minimumDifference: Int = 8
    /// Background learning rate for background pixels, in 1/256 per frame (≈ α 0.016).
    /// Applied as a shift, so it is rounded down to a power of two (1 … 128).
    public var learningRate: Int = 4
    /// Frames at the start (or after a reset) used only to learn.
    public var warmUpFrames: Int = 20
    /// A frame where more than this fraction changes is a global change (lights, IR
    /// switch) the gain model could not explain: re-learn instead of reporting.
    public var globalChangeFraction: Double = 0.45
    /// Frames of fast re-learning after a global change.
    public var relearnFrames: Int = 15
    /// How much a state flip raises a pixel's variation, in 1/256 grey levels.
    public var flipStep: Int = 128
    /// Blobs smaller than this many pixels are dropped from the mask.
    public var minimumBlobPixels: Int = 12
    /// With a perspective, blobs smaller than this fraction of a person's area at their
    /// own position are dropped too: a leaf near the camera is not a person far away.
    public var perspective: PerspectiveScale?
    public var minimumPersonFraction: Double = 0.1
    /// Drop pixels that look like a cast shadow on textured ground: the frame is
    /// `shadowDarkest` … `shadowLightest` times the background and the ground's
    /// texture is intact around them. Off by default: a smooth object darker than
    /// smooth ground (a silver car on grey asphalt) looks exactly like a shadow and
    /// loses pixels (seen on highway-cctv.avi). Worth it where long shadows fall on
    /// paving or grass; on flat ground shadows stay foreground either way.
    public var suppressShadows = false
    public var shadowDarkest = 0.45
    public var shadowLightest = 0.92
    /// Consensus model: the smallest distance, in grey levels, at which a sample still
    /// matches (raised per pixel where the background is dynamic).
    public var sampleDistance: Int = 20
    /// Consensus model: how many times `sampleDistance` a pixel's threshold may rise where
    /// its label keeps flipping (SuBSENSE's feedback, for leaves and water). A busy lane's
    /// pixels flip too, as each vehicle passes, and at the full rise faint far vehicles in
    /// fog fell under the threshold (m30-hd; BENCHMARKS.md issue 13). 1 keeps it fixed.
    public var largestThresholdFactor: Double = 5
    /// Consensus model: an object that has stood still this many analysed frames (three
    /// minutes at 25 a second, longer than a queue at a red light; `adaptive` lets one go
    /// after about 1,800 frames) becomes background: a car parked for the day, a moved
    /// bench, a caption the camera burns in. 0 keeps it foreground for ever. A camera whose
    /// rules wait longer for something still (`stillFrames(forRuleSeconds:)`) keeps it longer.
    public var absorbStillFrames: Int = 4500
    public init() {}

    /// Frames an object must stay foreground for a rule that waits `seconds` for it to be
    /// still (loitering, a stopped vehicle, an abandoned object): half as long again, at up to
    /// 30 analysed frames a second.
    public static func stillFrames(forRuleSeconds seconds: Double) -> Int {
        Int((seconds * 1.5 * 30).rounded(.up))
    }
}
