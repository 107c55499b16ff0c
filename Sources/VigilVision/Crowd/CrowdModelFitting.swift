/// Fits a `CrowdModel` to annotated frames by ridge regression: features are standardised,
/// the coefficients (not the intercept) are shrunk by `ridge` (a fraction of the data's own
/// variance: 0.01 by default), so a handful of frames with correlated features (area and
/// outline both grow with people) still gives a stable model.
public enum CrowdModelFitting {
    public struct Sample: Sendable {
        public var measurement: CrowdMeasurement
        public var people: Double
        public var frame: Int
        public init(measurement: CrowdMeasurement, people: Double, frame: Int) {
            self.measurement = measurement; self.people = people; self.frame = frame
        }
    }

    public struct Fit: Sendable {
        public var model: CrowdModel
        public var meanAbsoluteError: Double
        public var leaveOneOutError: Double?
    }

    public enum FitError: Error, CustomStringConvertible {
        case tooFewFrames(Int)
        public var description: String {
            switch self {
            case let .tooFewFrames(count): return "calibration needs at least 3 annotated frames, found \(count)"
            }
        }
    }

    /// `intercept: false` (the default) fits through the origin: no foreground, no people.
    /// Annotated frames of one camera often span a narrow range of counts (5 to 8, say);
    /// a free intercept then soaks up the mean and the slopes are mostly noise.
    public static func fit(_ samples: [Sample], features: [CrowdFeature] = CrowdFeature.allCases, ridge: Double = 0.01,
                           intercept: Bool = false) throws -> Fit {
        guard samples.count >= 3 else { throw FitError.tooFewFrames(samples.count) }
        let model = solve(samples, features: features, ridge: ridge, intercept: intercept)
        let error = meanAbsoluteError(model, samples)
        var leaveOneOut: Double? = nil
        if samples.count >= 4 {
            var total = 0.0
            for index in samples.indices {
                var rest = samples
                let held = rest.remove(at: index)
                total += abs(solve(rest, features: features, ridge: ridge, intercept: intercept).people(held.measurement) - held.people)
            }
            leaveOneOut = total / Double(samples.count)
        }
        return Fit(model: model, meanAbsoluteError: error, leaveOneOutError: leaveOneOut)
    }

    /// Fits every non-empty subset of `candidates` and keeps the one with the fewest features
    /// among those whose leave-one-out error is within 2 % (or 0.01 people) of the lowest:
    /// which features describe a camera is decided by its own annotated frames, never by
    /// frames kept for testing, and a feature must earn its place. Needs 4 frames for
    /// leave-one-out; with fewer, all candidates are fitted together.
    public static func fitSelectingFeatures(_ samples: [Sample], candidates: [CrowdFeature] = CrowdFeature.allCases,
                                            ridge: Double = 0.01, intercept: Bool = false) throws -> Fit {
        guard samples.count >= 4, candidates.count > 1 else {
            return try fit(samples, features: candidates, ridge: ridge, intercept: intercept)
        }
        var fits: [Fit] = []
        for subset in 1..<(1 << candidates.count) {
            let features = candidates.indices.filter { subset & (1 << $0) != 0 }.map { candidates[$0] }
            fits.append(try fit(samples, features: features, ridge: ridge, intercept: intercept))
        }
        let lowest = fits.map { $0.leaveOneOutError ?? .infinity }.min()!
        return fits.filter { ($0.leaveOneOutError ?? .infinity) <= max(1.02 * lowest, lowest + 0.01) }
            .min { ($0.model.features.count, $0.leaveOneOutError ?? .infinity) < ($1.model.features.count, $1.leaveOneOutError ?? .infinity) }!
    }

    public static func meanAbsoluteError(_ model: CrowdModel, _ samples: [Sample]) -> Double {
        samples.reduce(0) { $0 + abs(model.people($1.measurement) - $1.people) } / Double(max(1, samples.count))
    }

    static func solve(_ samples: [Sample], features: [CrowdFeature], ridge: Double, intercept: Bool) -> CrowdModel {
        let n = Double(samples.count), k = features.count
        let columns = features.map { feature in samples.map { $0.measurement[feature] } }
        // Through the origin nothing is centred: the scales are root mean squares.
        let means = intercept ? columns.map { $0.reduce(0, +) / n } : Array(repeating: 0, count: k)
        let scales = zip(columns, means).map { column, mean in
            max(1e-9, (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot())
        }
        let targetMean = intercept ? samples.reduce(0) { $0 + $1.people } / n : 0
        // Normal equations on standardised features: (ZᵀZ + λ n I) b = Zᵀ (y − ȳ).
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        var right = [Double](repeating: 0, count: k)
        for (row, sample) in samples.enumerated() {
            let z = (0..<k).map { (columns[$0][row] - means[$0]) / scales[$0] }
            for i in 0..<k {
                right[i] += z[i] * (sample.people - targetMean)
                for j in 0..<k { matrix[i][j] += z[i] * z[j] }
            }
        }
        for i in 0..<k { matrix[i][i] += ridge * n }
        let standardised = gaussianSolve(matrix, right)
        let coefficients = (0..<k).map { standardised[$0] / scales[$0] }
        let offset = targetMean - (0..<k).reduce(0) { $0 + coefficients[$1] * means[$1] }
        return CrowdModel(features: features, coefficients: coefficients, intercept: offset)
    }

    /// Gaussian elimination with partial pivoting; the ridge term keeps the matrix regular.
    static func gaussianSolve(_ matrix: [[Double]], _ right: [Double]) -> [Double] {
        var a = matrix, b = right
        let n = b.count
        for column in 0..<n {
            let pivot = (column..<n).max { abs(a[$0][column]) < abs(a[$1][column]) }!
            a.swapAt(column, pivot)
            b.swapAt(column, pivot)
            guard abs(a[column][column]) > 1e-12 else { continue }
            for row in (column + 1)..<n {
                let factor = a[row][column] / a[column][column]
                for j in column..<n { a[row][j] -= factor * a[column][j] }
                b[row] -= factor * b[column]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = b[row]
            for j in (row + 1)..<n { sum -= a[row][j] * x[j] }
            x[row] = abs(a[row][row]) > 1e-12 ? sum / a[row][row] : 0
        }
        return x
    }
}
