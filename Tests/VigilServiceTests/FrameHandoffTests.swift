import Foundation
import Testing
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
}
