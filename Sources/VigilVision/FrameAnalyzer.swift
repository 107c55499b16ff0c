/// What one analysis step reports for one frame. Later stages add fields; the
/// pipeline writes them to `--frames-out` and the report.
public struct FrameObservation: Sendable {
    /// Fraction of analysed pixels marked as foreground, 0…1.
    public var motionFraction: Double?
    /// The largest single moving region, as a fraction of the frame: one coherent object,
    /// where `motionFraction` also sums scattered specks (leaves, noise).
    public var largestBlobFraction: Double?
    public init(motionFraction: Double? = nil, largestBlobFraction: Double? = nil) {
        self.motionFraction = motionFraction
        self.largestBlobFraction = largestBlobFraction
    }
}

/// A per-frame analysis step over the luma analysis frame. Implementations keep
/// their own state between frames and must not allocate per frame once warmed up.
public protocol FrameAnalyzer {
    /// Human name used in reports ("motion", "none").
    var stageName: String { get }
    /// Analyses one frame; the image is only valid for the duration of the call.
    mutating func analyze(_ image: GrayImage) -> FrameObservation
    /// The foreground mask of the last analysed frame (255 = foreground), if the step makes one.
    var lastMask: GrayImage? { get }
    /// Forget learned state, as after a reconnect or a cut in the clip.
    mutating func reset()
    /// Moving regions of the last analysed frame, for the tracker (none if the step makes none).
    var blobs: [Blob] { get }
}

extension FrameAnalyzer {
    public var blobs: [Blob] { [] }
}

/// The analysis switched off: used to measure ingest cost on its own. It learns nothing
/// and reports nothing, so it is never learning and has nothing to ignore.
public struct NoAnalysis: MotionModel {
    public init() {}
    public var isLearning: Bool { false }
    public var perspective: PerspectiveScale? { nil }
    public var ignoreMask: ZoneMask? {
        get { nil }
        set {}
    }
    public var stageName: String { "none" }
    public mutating func analyze(_ image: GrayImage) -> FrameObservation { FrameObservation() }
    public var lastMask: GrayImage? { nil }
    public mutating func reset() {}
}
