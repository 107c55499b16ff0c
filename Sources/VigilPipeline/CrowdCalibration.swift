import FoundationEssentials
import VigilConfig
import VigilMedia
import VigilVision

#if canImport(Foundation)
import Foundation
#endif

/// `vigil calibrate`: runs a camera's analysis over a clip, measures the crowd features on
/// the frames a user annotated, and fits a people-count model to their counts.
public struct CrowdCalibration {
    public struct AnnotationError: Error, CustomStringConvertible {
        public var path: String
        public var line: Int?
        public var message: String
        public var description: String { "\(path)\(line.map { ":\($0)" } ?? ""): \(message)" }
    }

    /// Counts per 0-based frame, from JSON Lines `{"frame": i, "count": n}` or MOTChallenge
    /// boxes (`frame,id,left,top,width,height,…`, frames 1-based; a frame's count is its boxes,
    /// or those whose feet are inside `zone` when given).
    public static func readAnnotations(path: String, zone: Polygon? = nil, sourceWidth: Int = 1, sourceHeight: Int = 1) throws -> [Int: Double] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw AnnotationError(path: path, line: nil, message: "cannot read the annotations file")
        }
        var counts: [Int: Double] = [:]
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // Lines starting with # are comments in either format.
        let firstData = lines.map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty && !$0.hasPrefix("#") }
        let isJSONLines = firstData?.hasPrefix("{") ?? false
        for (number, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if isJSONLines {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let frame = (object["frame"] as? NSNumber)?.intValue,
                      let count = (object["count"] as? NSNumber)?.doubleValue ?? (object["people"] as? NSNumber)?.doubleValue else {
                    throw AnnotationError(path: path, line: number + 1, message: "expected {\"frame\": i, \"count\": n}, found \(line.prefix(80))")
                }
                guard frame >= 0, count >= 0 else { throw AnnotationError(path: path, line: number + 1, message: "frame and count must not be negative") }
                counts[frame] = count
            } else {
                let fields = line.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard fields.count >= 6, let frame = fields[0], let left = fields[2], let top = fields[3], let width = fields[4], let height = fields[5],
                      frame >= 1 else {
                    throw AnnotationError(path: path, line: number + 1, message: "expected MOTChallenge frame,id,left,top,width,height,…, found \(line.prefix(80))")
                }
                let index = Int(frame) - 1
                // A frame listed with no box inside the zone still counts: zero people.
                if counts[index] == nil { counts[index] = 0 }
                let feet = Point(x: (left + width / 2) / Double(sourceWidth), y: (top + height) / Double(sourceHeight))
                if zone.map({ $0.contains(feet) }) ?? true { counts[index, default: 0] += 1 }
            }
        }
        guard !counts.isEmpty else { throw AnnotationError(path: path, line: nil, message: "no annotated frame") }
        return counts
    }

    public struct Result {
        public var fit: CrowdModelFitting.Fit
        public var samples: [CrowdModelFitting.Sample]
        /// Annotated frames left out because the background model was still being learned.
        public var skippedWarmUp: [Int]
    }

    public var clip: SourceLocation
    public var camera: CameraSettings?
    public var zone: String?
    public var annotationsPath: String
    /// The features to fit; nil chooses among all of them by cross-validated error.
    public var features: [CrowdFeature]? = nil
    /// The ridge strength; nil chooses one of `CrowdModelFitting.ridgeChoices` by cross-validated error.
    public var ridge: Double? = nil
    /// With or without an intercept; nil fits through the origin and reports the best
    /// intercept fit's error (`Fit.interceptError`).
    public var intercept: Bool? = nil

    public init(clip: SourceLocation, camera: CameraSettings?, annotationsPath: String) {
        self.clip = clip
        self.camera = camera
        self.annotationsPath = annotationsPath
    }

    public struct Measured {
        public var samples: [CrowdModelFitting.Sample]
        /// Annotated frames left out because the background model was still being learned.
        public var skippedWarmUp: [Int]
    }

    /// Runs the camera's analysis over the clip and fits the model to the annotated frames.
    public func run() throws -> Result {
        let measured = try measure()
        // Features the user named are all kept; otherwise every subset is tried.
        var fit = try CrowdModelFitting.fitSelectingFeatures(measured.samples, candidates: features ?? CrowdFeature.allCases,
                                                             ridges: ridge.map { [$0] } ?? CrowdModelFitting.ridgeChoices,
                                                             intercept: intercept, subsets: features == nil)
        fit.model.training = .init(clip: clip.redacted, frames: measured.samples.map(\.frame), annotations: annotationsPath,
                                   meanAbsoluteError: CameraPipeline.rounded(fit.meanAbsoluteError, 3),
                                   crossValidationError: fit.crossValidationError.map { CameraPipeline.rounded($0, 3) },
                                   folds: fit.folds, ridge: fit.ridge)
        return Result(fit: fit, samples: measured.samples, skippedWarmUp: measured.skippedWarmUp)
    }

    /// The crowd features of every annotated frame, as the camera's analysis measures them
    /// (they do not depend on any model), paired with the annotated counts.
    public func measure() throws -> Measured {
        let source = try VideoSource(clip)
        let zoneIndex = try zone.map { id -> Int in
            guard let index = camera?.zones.firstIndex(where: { $0.id == id }) else {
                throw AnnotationError(path: annotationsPath, line: nil, message: "the camera has no zone '\(id)'")
            }
            return index
        }
        let zonePolygon = zoneIndex.map { Polygon(camera!.zones[$0].polygon.map { Point(x: $0.x, y: $0.y) }) }
        let counts = try Self.readAnnotations(path: annotationsPath, zone: zonePolygon, sourceWidth: source.info.width, sourceHeight: source.info.height)
        let reader = FrameReader(source: source, size: AnalysisSize(width: camera?.analysis.width ?? AnalysisSettings.defaultWidth),
                                 analysisFPS: camera?.analysis.fps)
        let pipeline = try CameraPipeline(camera: camera)
        pipeline.measuresPeople = true
        pipeline.measuresAllCrowdFeatures = true
        var samples: [CrowdModelFitting.Sample] = []
        var skipped: [Int] = []
        let wanted = counts.keys.sorted()
        var next = 0
        // With an analysis rate below the clip's, an annotated frame is matched to the
        // analysed frame at or just after it.
        while next < wanted.count, let frame = try reader.next() {
            _ = pipeline.process(frame.image, frame: frame.index, pts: frame.pts)
            let learning = pipeline.analyzer.isLearning
            while next < wanted.count && wanted[next] <= frame.index {
                if learning || pipeline.crowdMeasurements.isEmpty {
                    skipped.append(wanted[next])
                } else {
                    let measurement = pipeline.crowdMeasurements[(zoneIndex ?? -1) + 1]
                    samples.append(.init(measurement: measurement, people: counts[wanted[next]]!, frame: wanted[next]))
                }
                next += 1
            }
            reader.recycle(frame)
        }
        if next < wanted.count {
            throw AnnotationError(path: annotationsPath, line: nil,
                                  message: "frame \(wanted[next]) is annotated but the clip has only \(source.framesDecoded) frames")
        }
        return Measured(samples: samples, skippedWarmUp: skipped)
    }
}
