/// A people-count model: `people = intercept + Σ coefficient × feature`, never below 0; a
/// feature of several columns (`sizes`) takes one coefficient per column, in order.
/// The default works from the camera's perspective alone; `vigil calibrate` fits one to a
/// user's annotated frames. Stored as JSON (kind `vigil-crowd-model`, version 1).
public struct CrowdModel: Sendable, Codable, Equatable {
    public struct Training: Sendable, Codable, Equatable {
        public var clip: String
        public var frames: [Int]
        public var annotations: String
        /// Mean absolute error over the training frames, and per frame in cross-validation
        /// (the honest figure: each frame predicted by a fit without it): leave-one-out up to
        /// 40 frames, else `folds` blocks of consecutive frames, each predicted by a fit on the others.
        public var meanAbsoluteError: Double
        public var leaveOneOutError: Double?
        public var crossValidationError: Double?
        public var folds: Int?
        public var ridge: Double
        public init(clip: String, frames: [Int], annotations: String, meanAbsoluteError: Double, crossValidationError: Double?, folds: Int?, ridge: Double) {
            self.clip = clip; self.frames = frames; self.annotations = annotations
            self.meanAbsoluteError = meanAbsoluteError; self.crossValidationError = crossValidationError; self.folds = folds; self.ridge = ridge
            // Files written before k-fold cross-validation named it so; kept for their readers.
            self.leaveOneOutError = folds == frames.count ? crossValidationError : nil
        }
    }

    public var kind = "vigil-crowd-model"
    public var version = 1
    public var features: [CrowdFeature]
    public var coefficients: [Double]
    public var intercept: Double
    public var training: Training?

    public init(features: [CrowdFeature], coefficients: [Double], intercept: Double, training: Training? = nil) {
        precondition(Self.columns(features) == coefficients.count)
        self.features = features; self.coefficients = coefficients; self.intercept = intercept; self.training = training
    }

    /// The model before any calibration, from the perspective alone: foreground area
    /// corrected for overlap (`cover`), in person areas of 0.35 h², times 1.17: a person's
    /// mask covers 0.30 h² on average (the ratio of people to `cover` on the training frames
    /// of PETS 2009, 20-380 of vtest.avi). Exact where people walk apart; an undercount where
    /// people stand still for minutes or hide one another entirely (calibration corrects that).
    public static let perspectiveOnly = CrowdModel(features: [.cover], coefficients: [1.17], intercept: 0)

    /// The coefficients `features` take.
    public static func columns(_ features: [CrowdFeature]) -> Int { features.reduce(0) { $0 + $1.columns } }

    public func people(_ measured: CrowdMeasurement) -> Double {
        var total = intercept, next = 0
        for feature in features {
            for column in 0..<feature.columns { total += coefficients[next + column] * measured.value(feature, column: column) }
            next += feature.columns
        }
        return max(0, total)
    }
}
