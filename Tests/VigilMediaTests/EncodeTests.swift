import Testing
import VigilMedia
import VigilTestSupport
import VigilVision

@Suite("Image and video encoding")
struct EncodeTests {
    @Test("PNG written through libavcodec reads back bit-exact")
    func pngRoundTrip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var image = GrayImage(width: 64, height: 48)
        for y in 0..<48 { for x in 0..<64 { image[x, y] = UInt8((x * 4 + y * 3) & 0xFF) } }
        let path = directory.file("mask.png")
        try ImageEncoder(format: .png).write(image, to: path)
        let source = try VideoSource(SourceLocation(path))
        let reader = FrameReader(source: source, size: AnalysisSize(width: 64))
        let frame = try #require(try reader.next())
        #expect(frame.image == image)
    }

    @Test("JPEG snapshots start with the JPEG signature and decode to the same picture, roughly")
    func jpeg() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let image = GrayImage(width: 32, height: 32, fill: 100)
        let bytes = try ImageEncoder(format: .jpeg(quality: 90)).encode(image)
        #expect(Array(bytes.prefix(2)) == [0xFF, 0xD8])
        let path = directory.file("snap.jpg")
        try ImageEncoder(format: .jpeg(quality: 90)).write(image, to: path)
        let reader = FrameReader(source: try VideoSource(SourceLocation(path)), size: AnalysisSize(width: 32))
        let frame = try #require(try reader.next())
        #expect(abs(frame.image.mean() - 100) < 3)
    }

    @Test("credentials never appear in a source's display form")
    func redaction() {
        #expect(SourceLocation("rtsp://admin:secret@10.0.0.5:554/stream2").redacted == "rtsp://***@10.0.0.5:554/stream2")
        #expect(SourceLocation("http://cam.local/x.ts").redacted == "http://cam.local/x.ts")
        #expect(SourceLocation("/videos/a@b.mp4").redacted == "/videos/a@b.mp4")
        #expect(!SourceLocation("/videos/clip.mp4").isNetwork)
        #expect(SourceLocation("udp://127.0.0.1:5000").isNetwork)
    }
}
