import FoundationEssentials
import VigilVision

/// `vigil-bench crowd-fit MEASUREMENTS FROM TO`: fits the crowd model as `vigil calibrate`
/// does on the frames FROM..<TO of a `vigil calibrate --measurements-out` file and scores it
/// and the default model on every other frame of the file (one JSON line).
func crowdFitBenchmark(path: String, from: Int, to: Int) throws {
    struct Line: Decodable { var frame: Int; var count: Double; var features: CrowdMeasurement }
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let decoder = JSONDecoder()
    let samples = try text.split(separator: "\n").map { line -> CrowdModelFitting.Sample in
        let decoded = try decoder.decode(Line.self, from: Data(line.utf8))
        return .init(measurement: decoded.features, people: decoded.count, frame: decoded.frame)
    }
    let training = samples.filter { $0.frame >= from && $0.frame < to }
    let test = samples.filter { $0.frame < from || $0.frame >= to }
    let fit = try CrowdModelFitting.fitSelectingFeatures(training)
    func score(_ model: CrowdModel) -> [String: Double] {
        let errors = test.map { model.people($0.measurement) - $0.people }
        let n = Double(max(1, errors.count))
        return ["mae": errors.reduce(0) { $0 + abs($1) } / n, "bias": errors.reduce(0, +) / n,
                "mse": errors.reduce(0) { $0 + $1 * $1 } / n, "mean": test.reduce(0) { $0 + $1.people } / n]
    }
    struct Report: Encodable {
        var training: Int; var test: Int; var features: [CrowdFeature]; var coefficients: [Double]; var intercept: Double
        var ridge: Double; var crossValidation: Double?; var calibrated: [String: Double]; var perspectiveOnly: [String: Double]
    }
    let report = Report(training: training.count, test: test.count, features: fit.model.features, coefficients: fit.model.coefficients,
                        intercept: fit.model.intercept, ridge: fit.ridge, crossValidation: fit.crossValidationError,
                        calibrated: score(fit.model), perspectiveOnly: score(.perspectiveOnly))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try encoder.encode(report), as: UTF8.self))
}
