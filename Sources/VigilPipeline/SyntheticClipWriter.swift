import FoundationEssentials
import VigilMedia
import VigilSynth
import VigilVision

/// Renders a synthetic scene to a video file and, optionally, its ground truth:
/// `scene.json` (the spec), `boxes.txt` (MOTChallenge: frame from 1, id, left, top,
/// width, height, 1, class 1 = person / 2 = vehicle, visibility 1), `crossings.jsonl`
/// and `masks/NNNNNN.png` (255 = foreground, named by 0-based frame index).
public enum SyntheticClipWriter {
    public struct Result: Sendable {
        public var codec: String
        public var frames: Int
        public var crossings: [LineCrossing]
    }

    public static func write(_ spec: SceneSpec, to path: String, truthDirectory: String? = nil,
                             preference: [VideoWriter.Codec] = [.h264, .mpeg4, .mjpeg], quality: Int = 20,
                             containerOptions: [String: String] = [:]) throws -> Result {
        let renderer = SceneRenderer(spec: spec)
        let writer = try VideoWriter(path: path, width: spec.width, height: spec.height, framesPerSecond: spec.framesPerSecond,
                                     preference: preference, keyframeInterval: spec.framesPerSecond * 2, quality: quality,
                                     containerOptions: containerOptions)
        var boxes = ""
        var maskEncoder: ImageEncoder? = nil
        if let truthDirectory {
            try FileManager.default.createDirectory(atPath: truthDirectory + "/masks", withIntermediateDirectories: true)
            maskEncoder = ImageEncoder(format: .png)
        }
        var image = GrayImage(width: spec.width, height: spec.height)
        var mask = GrayImage(width: spec.width, height: spec.height)
        for frame in 0..<spec.frameCount {
            let truth = renderer.render(frame: frame, into: &image, mask: &mask)
            try writer.write(image)
            if let truthDirectory, let maskEncoder {
                try maskEncoder.write(mask, to: "\(truthDirectory)/masks/\(ClipAnalysis.maskName(frame))")
                for object in truth.objects {
                    let b = object.box
                    boxes += "\(frame + 1),\(object.id),\(Int(b.x)),\(Int(b.y)),\(Int(b.width)),\(Int(b.height)),1,\(object.kind == .person ? 1 : 2),1\n"
                }
            }
        }
        try writer.finish()
        let crossings = spec.lineCrossings()
        if let truthDirectory {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(spec).write(to: URL(fileURLWithPath: truthDirectory + "/scene.json"))
            try Data(boxes.utf8).write(to: URL(fileURLWithPath: truthDirectory + "/boxes.txt"))
            encoder.outputFormatting = [.sortedKeys]
            let lines = try crossings.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined()
            try Data(lines.utf8).write(to: URL(fileURLWithPath: truthDirectory + "/crossings.jsonl"))
        }
        return Result(codec: writer.codec.rawValue, frames: spec.frameCount, crossings: crossings)
    }
}
