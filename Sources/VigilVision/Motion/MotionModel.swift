/// A background model: the motion step the pipeline runs, whichever algorithm is behind it.
/// Everything the pipeline needs from it is here, so it never looks at the concrete type.
public protocol MotionModel: FrameAnalyzer {
    /// True while the model is (re-)learning and reports no motion.
    var isLearning: Bool { get }
    /// The perspective blobs were filtered with (the tracker and crowd estimate share it).
    var perspective: PerspectiveScale? { get }
    /// Areas never to report, as 1 = ignore, at the analysis size.
    var ignoreMask: ZoneMask? { get set }
    /// How the tracker joins this model's blobs into objects: a model whose masks come out
    /// in pieces needs a wider gap than one whose masks are whole.
    var blobGrouping: BlobGrouping { get }
}

extension MotionModel {
    public var blobGrouping: BlobGrouping { BlobGrouping() }
}

/// The background models a camera can choose (`motion: { model: ... }`).
public enum MotionModelKind: String, Sendable, CaseIterable {
    /// Sample consensus with per-pixel feedback (ViBe/SuBSENSE family), the default: best on
    /// the annotated sequences, and on people who move slowly, stand, or are in view at start-up.
    case consensus
    /// One running background level and variation per pixel (Vigil's first model): closer
    /// counts of a dense jam's vehicles, and the `--sensitivity` family of settings.
    case adaptive

    public func make(_ settings: MotionSettings) -> any MotionModel {
        switch self {
        case .consensus: SampleConsensusMotion(settings: settings)
        case .adaptive: MotionDetector(settings: settings)
        }
    }
}
