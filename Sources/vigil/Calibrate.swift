import ArgumentParser
import FoundationEssentials
import VigilConfig
import VigilMedia
import VigilPipeline
import VigilVision

struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit a camera's people-count model to annotated frames of a clip.",
        discussion: """
        ANNOTATIONS is JSON Lines ({"frame": 120, "count": 14}, frames 0-based) or MOTChallenge \
        boxes (frame,id,left,top,width,height,…; frames 1-based; each frame counts its boxes). \
        The camera's analysis settings and perspective (--config/--camera) are used as in operation. \
        The model records its features, coefficients, training clip and frames, and its error; \
        point the camera's `model` at it.
        """
    )

    @Argument(help: "The clip the annotations belong to.")
    var clip: String

    @Option(help: "Per-frame counts (JSON Lines) or MOTChallenge boxes.")
    var annotations: String

    @Option(help: "Where to write the model (JSON).")
    var out: String

    @Option(help: "Configuration file with the camera's perspective and analysis settings.")
    var config: String?

    @Option(help: "Camera id in --config (default: its only camera).")
    var camera: String?

    @Option(help: "Calibrate on this zone of the camera (the annotations count people in it).")
    var zone: String?

    @Option(help: "Features, comma-separated: \(CrowdFeature.allCases.map(\.rawValue).joined(separator: ", ")); or auto: the subset with the lowest cross-validated error on the annotated frames.")
    var features = "auto"

    @Option(help: "Ridge strength on standardised features (larger: smoother, more biased); default: chosen by cross-validation among \(CrowdModelFitting.ridgeChoices.map { "\($0)" }.joined(separator: ", ")).")
    var ridge: Double?

    @Flag(inversion: .prefixedNo, help: "Fit an intercept (needed for scene edges) or not; default: through the origin (no foreground, no people), which still holds where counts leave the annotated range.")
    var intercept: Bool?

    @Option(help: "Also write the features measured on every annotated frame, with its count, as JSON Lines (to compare models or features outside Vigil).")
    var measurementsOut: String?

    func validate() throws {
        let names = features.split(separator: ",").map(String.init)
        if features != "auto" && (names.isEmpty || names.contains(where: { CrowdFeature(rawValue: $0) == nil })) {
            throw ValidationError("--features takes auto or a comma-separated list of: \(CrowdFeature.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let ridge, ridge < 0 { throw ValidationError("--ridge must be 0 or more") }
        if camera != nil && config == nil { throw ValidationError("--camera needs --config") }
    }

    func run() throws {
        var cameraSettings: CameraSettings? = nil
        if let config {
            let configuration = try loadConfiguration(config)
            if let camera {
                guard let found = configuration.camera(camera) else {
                    FileHandleOutput.standardError("vigil: \(config) has no camera '\(camera)'")
                    throw ExitCode(ExitStatus.usage)
                }
                cameraSettings = found
            } else if configuration.cameras.count == 1 {
                cameraSettings = configuration.cameras[0]
            } else {
                FileHandleOutput.standardError("vigil: \(config) has \(configuration.cameras.count) cameras; say which with --camera")
                throw ExitCode(ExitStatus.usage)
            }
        }
        var calibration = CrowdCalibration(clip: SourceLocation(clip), camera: cameraSettings, annotationsPath: annotations)
        calibration.zone = zone
        calibration.features = features == "auto" ? nil : features.split(separator: ",").compactMap { CrowdFeature(rawValue: String($0)) }
        calibration.ridge = ridge
        calibration.intercept = intercept
        let result: CrowdCalibration.Result
        do {
            result = try calibration.run()
        } catch let error as MediaError {
            FileHandleOutput.standardError("vigil: \(error)")
            throw ExitCode(ExitStatus.badInput)
        } catch {
            FileHandleOutput.standardError("vigil: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
        do {
            try ModelFiles.write(result.fit.model, to: out)
        } catch {
            FileHandleOutput.standardError("vigil: \(out): cannot write the model: \(error)")
            throw ExitCode.failure
        }
        if let measurementsOut {
            struct Line: Encodable { var frame: Int; var count: Double; var features: CrowdMeasurement }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            do {
                let lines = try result.samples.map { String(decoding: try encoder.encode(Line(frame: $0.frame, count: $0.people, features: $0.measurement)), as: UTF8.self) }
                try (lines.joined(separator: "\n") + "\n").write(toFile: measurementsOut, atomically: true, encoding: .utf8)
            } catch {
                FileHandleOutput.standardError("vigil: \(measurementsOut): cannot write the measurements: \(error)")
                throw ExitCode.failure
            }
        }
        let model = result.fit.model
        var next = 0
        let terms = model.features.map { feature -> String in
            let coefficients = model.coefficients[next..<(next + feature.columns)].map { "\(($0 * 1000).rounded() / 1000)" }
            next += feature.columns
            return coefficients.count == 1 ? "\(coefficients[0]) × \(feature.rawValue)" : "[\(coefficients.joined(separator: ", "))] · \(feature.rawValue)"
        }
        print("people = \((model.intercept * 1000).rounded() / 1000) + " + terms.joined(separator: " + "))
        let validation = model.training?.crossValidationError.map { error -> String in
            let folds = result.fit.folds == result.samples.count ? "leave-one-out" : "\(result.fit.folds)-fold (blocks of consecutive frames)"
            return ", \(folds) \(error)"
        }
        print("fitted on \(result.samples.count) frames; mean absolute error \(model.training?.meanAbsoluteError ?? 0) people"
              + (validation ?? "") + "; ridge \(result.fit.ridge)")
        if let interceptError = result.fit.interceptError, let error = model.training?.crossValidationError,
           interceptError < error {
            let counts = result.samples.map(\.people)
            print("with an intercept (--intercept) the cross-validated error would be \((interceptError * 1000).rounded() / 1000); "
                  + "an intercept holds only for counts like these frames' (\(Int(counts.min() ?? 0))-\(Int(counts.max() ?? 0)) people)")
        }
        if !result.skippedWarmUp.isEmpty {
            print("left out \(result.skippedWarmUp.count) frame(s) of the warm-up: \(result.skippedWarmUp.map(String.init).joined(separator: ", "))")
        }
        print("wrote \(out)")
    }
}
