import Foundation
import Testing
import VigilConfig
import VigilMedia
import VigilTestSupport
import VigilVision
@testable import VigilService

@Suite("Frame handoff")
struct FrameHandoffTests {
    func image(_ value: UInt8) -> GrayImage { GrayImage(width: 4, height: 2, fill: value) }

    @Test("a full buffer drops its oldest frame, counts it, and never grows")
    func dropsOldest() {
        let handoff = FrameHandoff(capacity: 3)
        for frame in 0..<5 { handoff.push(image(UInt8(frame)), frame: frame, pts: Double(frame), arrival: 0) }
        #expect(handoff.droppedCount == 2)
        var taken = HandedFrame(image: GrayImage(width: 0, height: 0), frame: -1, pts: 0, arrival: 0)
        var frames: [Int] = []
        while handoff.take(into: &taken, timeout: 0) {
            #expect(taken.image.pixels.allSatisfy { $0 == UInt8(taken.frame) })
            frames.append(taken.frame)
        }
        #expect(frames == [2, 3, 4])
    }

    @Test("a reader of a file waits for room instead of dropping, and close wakes it")
    func waitsForRoom() {
        let handoff = FrameHandoff(capacity: 2)
        // A real thread, not a task: the producer blocks while the buffer is full, and a
        // blocked task could starve Swift's small cooperative pool of the test runner.
        let finished = DispatchSemaphore(value: 0)
        let producer = Thread {
            for frame in 0..<20 { handoff.push(GrayImage(width: 4, height: 2, fill: UInt8(frame)), frame: frame, pts: 0, arrival: 0, waitIfFull: true) }
            handoff.close()
            finished.signal()
        }
        producer.start()
        var taken = HandedFrame(image: GrayImage(width: 0, height: 0), frame: -1, pts: 0, arrival: 0)
        var frames: [Int] = []
        while handoff.take(into: &taken, timeout: 5) { frames.append(taken.frame) }
        // Whatever happened, never leave the producer blocked behind the test.
        handoff.close()
        #expect(finished.wait(timeout: .now() + 5) == .success)
        #expect(frames == Array(0..<20))
        #expect(handoff.droppedCount == 0)
    }

    /// The colour pictures of a small decoded clip, as a worker's ingest keeps them.
    func decodedPictures(_ frames: Int) throws -> [VideoPicture] {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, width: 320, height: 180, frames: frames)
        let reader = FrameReader(source: try VideoSource(SourceLocation(clip.path)), size: AnalysisSize(width: 160))
        reader.keepsPictures = true
        var pictures: [VideoPicture] = []
        while let frame = try reader.next() {
            if let picture = frame.picture { pictures.append(picture) }
            reader.recycle(frame)
        }
        try #require(pictures.count == frames)
        return pictures
    }

    @Test("past its picture budget the oldest waiting frames let go of their colour pictures, never of the frames")
    func pictureBudget() throws {
        let pictures = try decodedPictures(8)
        let size = pictures[0].byteCount
        #expect(size == 320 * 180 * 3 / 2, "a 4:2:0 picture's planes")
        // Room for three pictures' bytes in a buffer of eight frames.
        let handoff = FrameHandoff(capacity: 8, pictureBudget: 3 * size + size / 2)
        for (index, picture) in pictures.enumerated() {
            handoff.push(image(UInt8(index)), frame: index, pts: Double(index), arrival: 0, picture: picture)
            #expect(handoff.heldPictureByteCount == min(index + 1, 3) * size)
        }
        var taken = HandedFrame(image: GrayImage(width: 0, height: 0), frame: -1, pts: 0, arrival: 0)
        var frames: [Int] = [], withPicture: [Int] = []
        while handoff.take(into: &taken, timeout: 0) {
            frames.append(taken.frame)
            if let picture = taken.picture {
                #expect(picture === pictures[taken.frame], "frame \(taken.frame) came with another frame's picture")
                withPicture.append(taken.frame)
            }
        }
        #expect(frames == Array(0..<8))
        #expect(withPicture == [5, 6, 7])
        #expect(handoff.droppedCount == 0)
        #expect(handoff.heldPictureByteCount == 0)
    }

    @Test("a dropped frame's picture is let go with it, so the budget counts only what waits")
    func droppedPictureIsReleased() throws {
        let pictures = try decodedPictures(4)
        let handoff = FrameHandoff(capacity: 2)
        for (index, picture) in pictures.enumerated() {
            handoff.push(image(UInt8(index)), frame: index, pts: Double(index), arrival: 0, picture: picture)
        }
        #expect(handoff.droppedCount == 2)
        #expect(handoff.heldPictureByteCount == 2 * pictures[0].byteCount)
    }

    @Test("the default buffer holds about a second of the frames analysis gets, at least four")
    func defaultLength() throws {
        func options(fps: Double?, source: String = "rtsp://127.0.0.1/cam", realtime: Bool = false, buffer: Int? = nil) throws -> WorkerOptions {
            let analysis = fps.map { "analysis: { fps: \($0) }, " } ?? ""
            let camera = try ConfigLoader.parse(yaml: "cameras:\n  - { id: cam, \(analysis)source: \"\(source)\" }\n").cameras[0]
            var options = WorkerOptions(camera: camera, queueDirectory: "queue")
            options.realtime = realtime
            options.bufferFrames = buffer
            return options
        }
        #expect(try options(fps: nil).handoffCapacity == 25, "every frame of a 25 fps camera")
        #expect(try options(fps: 5).handoffCapacity == 5)
        #expect(try options(fps: 12.5).handoffCapacity == 13)
        #expect(try options(fps: 1).handoffCapacity == 4)
        #expect(try options(fps: nil, source: "cam.mp4", realtime: true).handoffCapacity == 25, "a file played as a camera")
        #expect(try options(fps: nil, source: "cam.mp4").handoffCapacity == 4, "a file read as fast as it decodes never drops")
        #expect(try options(fps: 5, buffer: 3).handoffCapacity == 3, "--buffer wins")
    }
}
