import Foundation
import VigilTestSupport
import VigilVision

/// motion-datasets DIR MODEL RUNS: every sequence of `../shared/datasets/motion/` through
/// one background model: per-pixel F, precision and recall over the evaluated frames, and
/// the motion step's median ms per frame over RUNS runs (one thread). One JSON line each.
func motionDatasetsBenchmark(directory: String, model: MotionModelKind, runs: Int, only: String?) throws {
    struct Line: Encodable {
        let sequence: String, model: String, f: Double, precision: Double, recall: Double
        let msPerFrame: Double, runs: [Double], width: Int, height: Int
    }
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    for name in MotionSequence.names where only == nil || only == name {
        let sequence = try MotionSequence(directory: directory + "/" + name)
        var times: [Double] = []
        var last = MaskScore()
        for _ in 0..<max(1, runs) {
            var analyzer: any MotionModel = model == .consensus
                ? SampleConsensusMotion(settings: tunedMotionSettings(model), tuning: consensusTuning())
                : model.make(tunedMotionSettings(model))
            let dump = ProcessInfo.processInfo.environment["VIGIL_DUMP"]
            let (score, seconds) = sequence.score(&analyzer) { index, mask in
                // Frame | truth | mask side by side, every 25th frame, for looking at errors.
                guard let dump, index % 25 == 0, let mask else { return }
                let frame = sequence.frames[index], truth = sequence.truth[index]
                var bytes = Array("P5 \(frame.width * 3) \(frame.height) 255\n".utf8)
                for y in 0..<frame.height {
                    for image in [frame, truth, mask] { bytes += image.pixels[(y * frame.width)..<((y + 1) * frame.width)] }
                }
                FileManager.default.createFile(atPath: "\(dump)/\(name)-\(index).pgm", contents: Data(bytes))
            }
            last = score
            times.append(seconds * 1000 / Double(sequence.frames.count))
        }
        let line = Line(sequence: name, model: model.rawValue, f: last.f, precision: last.precision, recall: last.recall,
                        msPerFrame: times.sorted()[times.count / 2], runs: times,
                        width: sequence.frames[0].width, height: sequence.frames[0].height)
        print(String(decoding: try encoder.encode(line), as: UTF8.self))
    }
}

/// Settings overridden from VIGIL_MOTION_SET="field=value,…", for tuning runs only.
func tunedMotionSettings(_ model: MotionModelKind) -> MotionSettings {
    var settings = MotionSettings()
    settings.model = model
    guard let text = ProcessInfo.processInfo.environment["VIGIL_MOTION_SET"] else { return settings }
    for pair in text.split(separator: ",") {
        let parts = pair.split(separator: "=")
        guard parts.count == 2, let value = Double(parts[1]) else { continue }
        switch parts[0] {
        case "sampleDistance": settings.sampleDistance = Int(value)
        case "minimumDifference": settings.minimumDifference = Int(value)
        case "sensitivity": settings.sensitivity = Int(value)
        case "warmUpFrames": settings.warmUpFrames = Int(value)
        case "minimumBlobPixels": settings.minimumBlobPixels = Int(value)
        case _ where consensusFields.contains(String(parts[0])): break
        default: FileHandle.standardError.write(Data("unknown setting \(parts[0])\n".utf8))
        }
    }
    return settings
}

let consensusFields: Set<String> = ["shortestPeriod", "ghostEdgeRatio", "updateRowStep", "majority", "ghostAge", "thresholdStep",
                                    "recurringFraction", "keepSeedsApart", "growSteps"]

func consensusTuning() -> SampleConsensusMotion.Tuning {
    var tuning = SampleConsensusMotion.Tuning()
    guard let text = ProcessInfo.processInfo.environment["VIGIL_MOTION_SET"] else { return tuning }
    for pair in text.split(separator: ",") {
        let parts = pair.split(separator: "=")
        guard parts.count == 2, let value = Float(parts[1]) else { continue }
        switch parts[0] {
        case "shortestPeriod": tuning.shortestPeriod = value
        case "ghostEdgeRatio": tuning.ghostEdgeRatio = value
        case "majority": tuning.majority = Int(value)
        case "ghostAge": tuning.ghostAge = Int(value)
        case "thresholdStep": tuning.thresholdStep = value
        case "updateRowStep": tuning.updateRowStep = Int(value)
        case "recurringFraction": tuning.recurringFraction = value
        case "keepSeedsApart": tuning.keepSeedsApart = value != 0
        case "growSteps": tuning.growSteps = Int(value)
        default: break
        }
    }
    return tuning
}
