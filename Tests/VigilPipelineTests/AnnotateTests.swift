import Foundation
import Testing
import VigilMedia
import VigilPipeline
import VigilSynth
import VigilTestSupport
import VigilVision

@Suite("Annotated video and heatmap")
struct AnnotateTests {
    @Test("--annotate writes every analysed frame; --heatmap is bright where objects moved and dim elsewhere")
    func annotateAndHeatmap() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, preset: .traffic, width: 320, height: 180, frames: 100)
        var options = ClipAnalysisOptions(input: SourceLocation(clip.path))
        options.annotate = directory.file("annotated.mp4")
        options.heatmap = directory.file("heat.png")
        let report = try ClipAnalysis(options: options).run()
        let annotated = try VideoSource(SourceLocation(directory.file("annotated.mp4")))
        let reader = FrameReader(source: annotated, size: AnalysisSize(width: 4096))
        var frames = 0
        while let frame = try reader.next() { frames += 1; reader.recycle(frame) }
        #expect(frames == report.frames.analysed)

        let heat = try #require(try FrameReader(source: VideoSource(SourceLocation(directory.file("heat.png"))), size: AnalysisSize(width: 4096)).next())
        #expect(heat.image.width == 320 && heat.image.height == 180)
        // Pixels some object covered after the warm-up against pixels no object ever covered.
        let renderer = SceneRenderer(spec: clip.spec)
        var covered = [Bool](repeating: false, count: 320 * 180)
        for index in 25..<100 {
            let mask = renderer.render(frame: index).mask
            for i in covered.indices where mask.pixels[i] != 0 { covered[i] = true }
        }
        var hot = 0.0, hotCount = 0.0, cold = 0.0, coldCount = 0.0
        for i in covered.indices {
            if covered[i] { hot += Double(heat.image.pixels[i]); hotCount += 1 } else { cold += Double(heat.image.pixels[i]); coldCount += 1 }
        }
        #expect(hot / hotCount > 2 * cold / coldCount, "mean where objects moved \(hot / hotCount), elsewhere \(cold / coldCount)")
    }

    @Test("--annotate-size source draws in colour at the source's size: the mask tinted where objects move, confirmed tracks boxed in green")
    func annotateSourceInColour() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, preset: .traffic, width: 320, height: 180, frames: 100)
        var options = ClipAnalysisOptions(input: SourceLocation(clip.path))
        options.size = AnalysisSize(width: 160)
        options.annotate = directory.file("annotated.mp4")
        options.annotateSize = .source
        let report = try ClipAnalysis(options: options).run()
        #expect((report.tracks ?? 0) > 0, "the scene must give confirmed tracks to draw")
        let annotated = try VideoSource(SourceLocation(directory.file("annotated.mp4")))
        #expect(annotated.info.width == 320 && annotated.info.height == 180)
        let reader = FrameReader(source: annotated, size: AnalysisSize(width: 4096))
        reader.keepsPictures = true
        let converter = PictureConverter()
        var frames = 0, tinted = 0, green = 0
        let renderer = SceneRenderer(spec: clip.spec)
        var rgb = [UInt8](repeating: 0, count: 320 * 180 * 3)
        while let frame = try reader.next() {
            defer { reader.recycle(frame) }
            frames += 1
            guard frames > 40, frames % 10 == 0, let picture = frame.picture else { continue }
            #expect(converter.rgb(picture, width: 320, height: 180, into: &rgb))
            // The source is grey: colour can only come from the drawing.
            let objects = renderer.render(frame: frame.index).mask
            for i in 0..<(320 * 180) {
                let r = Int(rgb[3 * i]), g = Int(rgb[3 * i + 1]), b = Int(rgb[3 * i + 2])
                if objects.pixels[i] != 0 && r > g + 40 && b > g + 40 { tinted += 1 }
                if g > r + 60 && g > b + 60 { green += 1 }
            }
        }
        #expect(frames == report.frames.analysed)
        #expect(tinted > 500, "magenta pixels on moving objects: \(tinted)")
        #expect(green > 200, "green box pixels: \(green)")
    }

    @Test("drawing clips at the image's edges and labels are drawn")
    func canvas() {
        var canvas = Canvas(GrayImage(width: 40, height: 20))
        canvas.line(from: Point(x: -10, y: -5), to: Point(x: 60, y: 30), value: 255)
        canvas.rectangle(Box(x: 30, y: 10, width: 30, height: 30), value: 200)
        canvas.text("12V", x: 2, y: 2)
        #expect(canvas.image.pixels.contains(255) && canvas.image.pixels.contains(200))
        // The "1" of the label: its middle column is lit on all five rows.
        #expect((0..<5).allSatisfy { canvas.image.pixels[(2 + $0) * 40 + 3] == 255 })
    }
}
