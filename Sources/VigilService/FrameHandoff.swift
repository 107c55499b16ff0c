import Foundation
import VigilMedia
import VigilVision

/// One frame handed from ingest to analysis.
struct HandedFrame {
    var image: GrayImage
    var frame: Int
    var pts: Double
    /// When ingest had it ready (monotonic seconds), to measure latency up to the event append.
    var arrival: Double
    /// `pts` minus the source's own time for this frame (frame times run on across reconnects;
    /// the source's packets, and so the event clips, do not).
    var sourceOffset = 0.0
    /// The decoded full-resolution picture (shared by reference count, not copied), for
    /// event snapshots and the console's live picture.
    var picture: VideoPicture? = nil
}

/// The bounded buffer between the ingest thread and the analysis thread. When
/// analysis falls behind a live source the oldest waiting frame is dropped, so the
/// buffer never grows and an event is never more than `capacity` frames late.
/// Frames are copied in and out of reused storage, so steady state allocates nothing.
///
/// The colour pictures riding along (for snapshots and the live picture) hold decoder
/// buffers, at 1080p 3 MB each: past `pictureBudget` bytes the oldest waiting frames let go
/// of theirs, so a buffer long enough to ride out a busy host's stalls does not also hold a
/// second of full-size pictures. Those frames are still analysed; an event on one is filed
/// without a snapshot.
final class FrameHandoff: @unchecked Sendable {
    let capacity: Int
    let pictureBudget: Int
    private let condition = NSCondition()
    private var slots: [HandedFrame]
    private var pictureBytes: [Int]
    private var head = 0
    private var count = 0
    private var closed = false
    private var heldPictureBytes = 0
    private(set) var dropped = 0

    init(capacity: Int, pictureBudget: Int = 32 << 20) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.pictureBudget = pictureBudget
        slots = Array(repeating: HandedFrame(image: GrayImage(width: 0, height: 0), frame: 0, pts: 0, arrival: 0), count: capacity)
        pictureBytes = Array(repeating: 0, count: capacity)
    }

    /// Copies the frame in; returns false if an older frame had to be dropped for it.
    /// With `waitIfFull` (a file read as fast as it decodes) it waits for room instead.
    @discardableResult
    func push(_ image: GrayImage, frame: Int, pts: Double, arrival: Double, sourceOffset: Double = 0, picture: VideoPicture? = nil,
              waitIfFull: Bool = false) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while waitIfFull && count == capacity && !closed { condition.wait() }
        if closed { return false }
        var keptAll = true
        if count == capacity {
            releasePicture(at: head)
            head = (head + 1) % capacity
            count -= 1
            dropped += 1
            keptAll = false
        }
        let bytes = picture?.byteCount ?? 0
        // Oldest first: the newest pictures are the ones the live picture and the next
        // events are taken from.
        var oldest = 0
        while heldPictureBytes + bytes > pictureBudget && oldest < count {
            releasePicture(at: (head + oldest) % capacity)
            oldest += 1
        }
        let index = (head + count) % capacity
        Self.copy(image, into: &slots[index].image)
        slots[index].frame = frame
        slots[index].pts = pts
        slots[index].arrival = arrival
        slots[index].sourceOffset = sourceOffset
        slots[index].picture = picture
        pictureBytes[index] = bytes
        heldPictureBytes += pictureBytes[index]
        count += 1
        condition.broadcast()
        return keptAll
    }

    /// Waits up to `timeout` seconds for a frame and copies it into `frame` (whose pixel
    /// storage is reused). Returns false if none came, or the handoff is closed and empty.
    func take(into frame: inout HandedFrame, timeout: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while count == 0 && !closed {
            if !condition.wait(until: deadline) { break }
        }
        guard count > 0 else { return false }
        Self.copy(slots[head].image, into: &frame.image)
        frame.frame = slots[head].frame
        frame.pts = slots[head].pts
        frame.arrival = slots[head].arrival
        frame.sourceOffset = slots[head].sourceOffset
        frame.picture = slots[head].picture
        releasePicture(at: head)
        head = (head + 1) % capacity
        count -= 1
        condition.broadcast()
        return true
    }

    /// Colour pictures held by waiting frames, in bytes (for tests).
    var heldPictureByteCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return heldPictureBytes
    }

    /// Called with the lock held.
    private func releasePicture(at index: Int) {
        slots[index].picture = nil
        heldPictureBytes -= pictureBytes[index]
        pictureBytes[index] = 0
    }

    private static func copy(_ image: GrayImage, into target: inout GrayImage) {
        if target.width != image.width || target.height != image.height {
            target = GrayImage(width: image.width, height: image.height)
        }
        target.pixels.withUnsafeMutableBufferPointer { destination in
            image.pixels.withUnsafeBufferPointer { source in destination.baseAddress!.update(from: source.baseAddress!, count: source.count) }
        }
    }

    /// No more frames will come; `take` returns false once the buffer is empty.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    var droppedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return dropped
    }
}
