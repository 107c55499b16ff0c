import Foundation
import Testing
import VigilMedia
import VigilTestSupport
import VigilVision

/// The decoder leaves out the deblocking filter on frames nothing is predicted from. That is
/// only harmless if it stays on those frames: every frame another frame refers to must come
/// out bit for bit as FFmpeg's full decode gives it, or the difference would build up until
/// the next keyframe.
@Suite("Deblocking skipped on unreferenced frames")
struct DeblockingTests {
    /// Runs a tool and returns what it printed, failing the test on a non-zero exit.
    func run(_ arguments: [String]) throws -> String {
        let result = try runTool(arguments)
        try #require(result.status == 0, "\(arguments.joined(separator: " ")) failed")
        return result.output
    }

    func luma(_ path: String, skipping: Bool) throws -> [GrayImage] {
        var options = SourceOptions()
        options.skipDeblockingUnreferencedFrames = skipping
        let reader = FrameReader(source: try VideoSource(SourceLocation(path), options: options), size: AnalysisSize(width: 320))
        var images: [GrayImage] = []
        while let frame = try reader.next() {
            images.append(frame.image)
            reader.recycle(frame)
        }
        return images
    }

    @Test("reference frames decode exactly; B-frames move by under a grey level on average")
    func referencesExact() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let scene = try makeClip(in: directory, name: "scene.mkv", frames: 60, codec: .mjpeg)
        // Strong compression, so the filter has block edges to smooth, and B-frames that
        // nothing refers to (no B-pyramid), as many cameras and recorders send.
        let clip = directory.file("b-frames.mp4")
        _ = try run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", scene.path, "-c:v", "libx264", "-crf", "36",
                     "-bf", "3", "-b_strategy", "0", "-x264-params", "b-pyramid=none", "-g", "30", clip])
        let types = try run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "frame=pict_type",
                             "-of", "csv=p=0", clip]).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let skipped = try luma(clip, skipping: true), full = try luma(clip, skipping: false)
        try #require(skipped.count == 60 && full.count == 60 && types.count == 60)
        try #require(types.filter { $0 == "B" }.count >= 20, "the clip has B-frames: \(types)")

        var bFramesChanged = 0
        for index in 0..<60 {
            let a = skipped[index].pixels, b = full[index].pixels
            let total = zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
            if types[index] != "B" {
                // A sum, not the arrays: a failing comparison of two 57,600-pixel arrays would
                // make the test library work out their difference element by element.
                #expect(total == 0, "frame \(index) (\(types[index])) is referred to and must decode exactly")
                continue
            }
            if total > 0 { bFramesChanged += 1 }
            #expect(Double(total) / Double(a.count) < 1, "B-frame \(index) moved by \(Double(total) / Double(a.count)) levels on average")
        }
        // The option took effect: without it no frame would differ.
        #expect(bFramesChanged >= 10, "\(bFramesChanged) B-frames changed")
    }
}
