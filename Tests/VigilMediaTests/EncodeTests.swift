import Foundation
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
        // Credentials in the query string, as many cameras and video services take them.
        #expect(SourceLocation("rtsp://cam/stream?token=abc123").redacted == "rtsp://cam/stream?token=***")
        #expect(SourceLocation("https://u:p@vms/live.m3u8?channel=2&api_key=K&X-Amz-Signature=S&Pass%77ord=P#t=1").redacted
                == "https://***@vms/live.m3u8?channel=2&api_key=***&X-Amz-Signature=***&Pass%77ord=***#t=1")
        #expect(SourceLocation("rtsp://cam/stream?auth&subtype=1").redacted == "rtsp://cam/stream?auth&subtype=1")
        #expect(!SourceLocation("/videos/clip.mp4").isNetwork)
        #expect(SourceLocation("udp://127.0.0.1:5000").isNetwork)
    }
}

@Suite("Event snapshots")
struct SnapshotTests {
    @Test("a snapshot is the full-resolution frame as JPEG, with the box drawn in red")
    func snapshotWithBox() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, frames: 5)
        let reader = FrameReader(source: try VideoSource(SourceLocation(clip.path)), size: AnalysisSize(width: 160))
        reader.keepsPictures = true
        let frame = try #require(try reader.next())
        let picture = try #require(frame.picture)
        let box = Box(x: 0.25, y: 0.25, width: 0.5, height: 0.5)
        let bytes = try SnapshotEncoder(quality: 90).jpeg(picture, box: box)
        #expect(Array(bytes.prefix(2)) == [0xFF, 0xD8])
        let path = directory.file("snap.jpg")
        try bytes.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: path)) }
        let decoded = try VideoSource(SourceLocation(path))
        #expect(decoded.info.width == 320 && decoded.info.height == 180)
        // The outline is red: its luma is near red's 76 while the same place in the original is not.
        let snapshot = try #require(try FrameReader(source: decoded, size: AnalysisSize(width: 320)).next()).image
        var onBorder = 0
        for x in stride(from: 90, to: 230, by: 10) where abs(Int(snapshot[x, 46]) - 76) < 20 { onBorder += 1 }
        #expect(onBorder >= 12, "border pixels near red's luma: \(onBorder) of 14")
    }
}
