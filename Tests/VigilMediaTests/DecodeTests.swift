import Testing
import VigilMedia
import VigilSynth
import VigilTestSupport
import VigilVision

@Suite("Decoding synthetic clips")
struct DecodeTests {
    /// Reads every frame the way the pipeline does and returns (index, pts, image).
    func readAll(_ path: String, width: Int = 480, fps: Double? = nil, skipNonReference: Bool = false) throws
        -> (frames: [(index: Int, pts: Double)], images: [GrayImage], reader: FrameReader) {
        var options = SourceOptions()
        options.skipNonReferenceFrames = skipNonReference
        let source = try VideoSource(SourceLocation(path), options: options)
        let reader = FrameReader(source: source, size: AnalysisSize(width: width), analysisFPS: fps)
        var frames: [(Int, Double)] = []
        var images: [GrayImage] = []
        while let frame = try reader.next() {
            frames.append((frame.index, frame.pts))
            images.append(frame.image)
            reader.recycle(frame)
        }
        return (frames, images, reader)
    }

    @Test("frame count, indices and pts match what was encoded", arguments: [
        (VideoWriter.Codec.h264, "clip.mp4"), (.mpeg4, "clip.avi"), (.mjpeg, "clip.mkv"), (.h264, "clip.ts"),
    ])
    func frameCountAndTimestamps(codec: VideoWriter.Codec, name: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, name: name, frames: 40, codec: codec)
        let result = try readAll(clip.path)
        #expect(result.frames.count == 40)
        for (position, frame) in result.frames.enumerated() {
            #expect(frame.index == position)
            #expect(abs(frame.pts - Double(position) / 25) < 0.001, "frame \(position) pts \(frame.pts)")
        }
    }

    @Test("stream information describes the clip")
    func streamInfo() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, frames: 30)
        let source = try VideoSource(SourceLocation(clip.path))
        #expect(source.info.width == 320 && source.info.height == 180)
        #expect(source.info.codecName == "h264")
        #expect(source.info.framesPerSecond == 25)
        #expect(source.info.estimatedFrameCount == 30)
    }

    @Test("scaled luma matches the rendered scene, downsampled")
    func scaledLumaMatchesRender() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, frames: 12, codec: .mjpeg)
        let result = try readAll(clip.path, width: 160)
        let renderer = SceneRenderer(spec: clip.spec)
        let image = result.images[10]
        #expect(image.width == 160 && image.height == 90)
        let rendered = renderer.render(frame: 10).image
        var totalError = 0
        for y in 0..<90 {
            for x in 0..<160 {
                let average = (Int(rendered[2 * x, 2 * y]) + Int(rendered[2 * x + 1, 2 * y])
                    + Int(rendered[2 * x, 2 * y + 1]) + Int(rendered[2 * x + 1, 2 * y + 1])) / 4
                totalError += abs(average - Int(image[x, y]))
            }
        }
        let meanError = Double(totalError) / Double(160 * 90)
        #expect(meanError < 6, "mean absolute error \(meanError) grey levels")
    }

    @Test("sources narrower than the analysis width are not upscaled")
    func noUpscaling() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, frames: 5)
        let result = try readAll(clip.path, width: 480)
        #expect(result.images.allSatisfy { $0.width == 320 && $0.height == 180 })
    }

    @Test("analysis sizes keep the display aspect ratio")
    func analysisSize() {
        let size = AnalysisSize(width: 480)
        #expect(size.outputSize(sourceWidth: 1920, sourceHeight: 1080) == (480, 270))
        #expect(size.outputSize(sourceWidth: 768, sourceHeight: 576) == (480, 360))
        // 720×576 with 16:15 pixels displays as 768×576.
        #expect(size.outputSize(sourceWidth: 720, sourceHeight: 576, sampleAspectRatio: 16.0 / 15.0) == (480, 360))
    }

    @Test("steady-state reading reuses one pooled frame and its pixel storage")
    func poolReuse() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, frames: 30)
        let reader = FrameReader(source: try VideoSource(SourceLocation(clip.path)), size: AnalysisSize(width: 160))
        var storage = Set<UnsafeRawPointer>()
        var count = 0
        while let frame = try reader.next() {
            _ = frame.image.pixels.withUnsafeBufferPointer { storage.insert(UnsafeRawPointer($0.baseAddress!)) }
            count += 1
            reader.recycle(frame)
        }
        #expect(count == 30)
        #expect(reader.pool.created == 1)
        #expect(storage.count == 1, "the scaler wrote into \(storage.count) different buffers")
    }

    @Test("the full-resolution picture can be kept beyond the next decode")
    func keepPicture() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, frames: 10)
        let reader = FrameReader(source: try VideoSource(SourceLocation(clip.path)), size: AnalysisSize(width: 160))
        reader.keepsPictures = true
        let first = try #require(try reader.next())
        let picture = try #require(first.picture)
        reader.recycle(first)
        #expect(first.picture == nil, "recycling drops the reference")
        while let frame = try reader.next() { reader.recycle(frame) }
        #expect(picture.width == 320 && picture.height == 180)
    }

    @Test("--fps keeps one frame per slot, dropped before scaling")
    func analysisRate() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, frames: 50)
        let result = try readAll(clip.path, fps: 5)
        #expect(result.frames.map(\.index) == Array(stride(from: 0, to: 50, by: 5)))
        #expect(result.reader.framesSkipped == 40)
    }

    @Test("skipping non-reference frames keeps true source indices")
    func skipNonReference() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, frames: 50)
        let all = try readAll(clip.path)
        let skipped = try readAll(clip.path, skipNonReference: true)
        #expect(skipped.frames.count < all.frames.count, "x264 clips have non-reference B-frames to skip")
        #expect(!skipped.frames.isEmpty)
        for frame in skipped.frames {
            #expect(frame.index == Int((frame.pts * 25).rounded()))
            // The pixels of a kept frame equal those decoded without skipping.
            let position = skipped.frames.firstIndex { $0.index == frame.index }!
            #expect(skipped.images[position] == all.images[frame.index])
        }
    }
}
