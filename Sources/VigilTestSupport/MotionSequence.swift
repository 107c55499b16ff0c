import Foundation
import VigilMedia
import VigilVision

/// One annotated sequence of `../shared/datasets/motion/`: every frame decoded to luma at
/// its native size, the truth mask of every frame (255 moving, 0 background, 170 unknown)
/// and the region that is scored. Loaded whole: the largest is 610 frames of 384×256.
public struct MotionSequence: Sendable {
    public let name: String
    public let frames: [GrayImage]
    public let truth: [GrayImage]
    /// 1 where a pixel is scored (the sequence's ROI.png, or everywhere).
    public let region: [UInt8]
    /// First and last frame scored (0-based, inclusive); earlier frames are warm-up for everyone.
    public let evaluated: ClosedRange<Int>

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    private struct Description: Decodable {
        struct Evaluate: Decodable { let first: Int; let last: Int }
        let name: String
        let frames: Int
        let width: Int
        let height: Int
        let evaluate: Evaluate
    }

    /// The five sequences' folder, if the shared datasets sit beside the checkout.
    public static var datasetDirectory: String? {
        let path = repositoryRoot + "/../shared/datasets/motion"
        return FileManager.default.fileExists(atPath: path + "/README.md") ? path : nil
    }

    public static let names = ["HighwayII", "CAVIAR1", "HallAndMonitor", "Candela_m1.10", "Board"]

    public init(directory: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/sequence.json"))
        let description = try JSONDecoder().decode(Description.self, from: data)
        name = description.name
        frames = try Self.decodeAll(directory + "/input.mp4", width: description.width)
        // One file each: the PNG masks are named 000000.png … by frame.
        truth = try (0..<description.frames).map { index in
            let file = directory + "/gt/" + String(repeating: "0", count: max(0, 6 - String(index).count)) + String(index) + ".png"
            guard let mask = try Self.decodeAll(file, width: description.width).first else {
                throw LoadError(description: "\(file): no picture")
            }
            return mask
        }
        guard frames.count >= description.evaluate.last + 1, truth.count >= description.evaluate.last + 1,
              let first = frames.first, first.width == description.width, first.height == description.height else {
            throw LoadError(description: "\(directory): \(frames.count) frames and \(truth.count) masks of "
                            + "\(frames.first?.width ?? 0)×\(frames.first?.height ?? 0), expected \(description.frames) of "
                            + "\(description.width)×\(description.height)")
        }
        if FileManager.default.fileExists(atPath: directory + "/ROI.png") {
            guard let roi = try Self.decodeAll(directory + "/ROI.png", width: description.width).first else {
                throw LoadError(description: "\(directory)/ROI.png: no picture")
            }
            region = roi.pixels.map { $0 > 127 ? 1 : 0 }
        } else {
            region = [UInt8](repeating: 1, count: description.width * description.height)
        }
        evaluated = description.evaluate.first...description.evaluate.last
    }

    private static func decodeAll(_ path: String, width: Int) throws -> [GrayImage] {
        let reader = FrameReader(source: try VideoSource(SourceLocation(path)), size: AnalysisSize(width: width), filter: .point)
        var images: [GrayImage] = []
        while let frame = try reader.next() {
            images.append(frame.image)
            reader.recycle(frame)
        }
        return images
    }

    /// Runs a motion step over every frame and scores its masks over the evaluated frames.
    /// Returns the score and the seconds spent inside `analyze` alone.
    public func score<Analyzer: FrameAnalyzer>(_ analyzer: inout Analyzer, inspect: ((Int, GrayImage?) -> Void)? = nil) -> (score: MaskScore, seconds: Double) {
        var score = MaskScore()
        var seconds = 0.0
        let clock = ContinuousClock()
        for (index, frame) in frames.enumerated() {
            let start = clock.now
            _ = analyzer.analyze(frame)
            let elapsed = clock.now - start
            seconds += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            inspect?(index, analyzer.lastMask)
            guard evaluated.contains(index) else { continue }
            score.add(predicted: analyzer.lastMask, truth: truth[index], region: region)
        }
        return (score, seconds)
    }
}
