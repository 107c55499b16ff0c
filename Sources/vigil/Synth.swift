import ArgumentParser
import VigilMedia
import VigilPipeline
import VigilSynth

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a synthetic clip with exact ground truth (for tests, benchmarks and demos).",
        discussion: "The same scene, size and seed always give the same clip. The container follows OUTPUT's extension."
    )

    @Argument(help: "Video file to write (.mp4, .mkv, .avi, .ts).")
    var output: String

    @Option(help: "Scene: \(ScenePreset.allCases.map(\.rawValue).joined(separator: ", ")).")
    var scene: String = "mixed"

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Number of frames.")
    var frames: Int = 250

    @Option(help: "Frame width in pixels.")
    var width: Int = 480

    @Option(help: "Frame height in pixels.")
    var height: Int = 270

    @Option(help: "Frames per second.")
    var fps: Int = 25

    @Option(help: "Codec: h264, hevc, mpeg4 or mjpeg (falls back along h264, mpeg4, mjpeg if missing).")
    var codec: String = "h264"

    @Option(help: "Quality for H.264/HEVC as CRF (lower is better).")
    var crf: Int = 20

    @Option(help: "Folder for the ground truth: scene.json, boxes.txt, crossings.jsonl, masks/.")
    var truth: String?

    func validate() throws {
        guard ScenePreset(rawValue: scene) != nil else {
            throw ValidationError("--scene must be one of: \(ScenePreset.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard VideoWriter.Codec(rawValue: codec) != nil else { throw ValidationError("--codec must be one of: h264, hevc, mpeg4, mjpeg") }
        guard frames > 0 && frames <= 1_000_000 else { throw ValidationError("--frames must be between 1 and 1000000") }
        guard width >= 16 && height >= 16 && width <= 7680 && height <= 4320 && width % 2 == 0 && height % 2 == 0 else {
            throw ValidationError("--width and --height must be even, between 16×16 and 7680×4320")
        }
        guard fps > 0 && fps <= 240 else { throw ValidationError("--fps must be between 1 and 240") }
    }

    func run() throws {
        let spec = SceneSpec.preset(ScenePreset(rawValue: scene)!, width: width, height: height,
                                    framesPerSecond: fps, frameCount: frames, seed: seed)
        var preference = [VideoWriter.Codec(rawValue: codec)!]
        for fallback in [VideoWriter.Codec.h264, .mpeg4, .mjpeg] where !preference.contains(fallback) { preference.append(fallback) }
        do {
            let result = try SyntheticClipWriter.write(spec, to: output, truthDirectory: truth, preference: preference, quality: crf)
            print("\(output): \(result.frames) frames, \(width)×\(height) at \(fps) fps, \(result.codec), scene '\(scene)' seed \(seed), \(spec.objects.count) objects, \(result.crossings.count) line crossings")
        } catch {
            FileHandleOutput.standardError("vigil: \(error)")
            throw ExitCode.failure
        }
    }
}
