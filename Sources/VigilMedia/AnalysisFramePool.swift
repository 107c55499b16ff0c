import VigilVision

/// An analysis frame: downscaled luma plus where it came from in the source.
public final class AnalysisFrame {
    public var image: GrayImage
    /// 0-based index of the source frame.
    public internal(set) var index: Int = 0
    /// Presentation time in seconds from the start of the stream.
    public internal(set) var pts: Double = 0
    /// The full-resolution picture, when the reader was asked to keep it.
    public internal(set) var picture: VideoPicture?

    init() { image = GrayImage(width: 0, height: 0) }
}

/// A fixed set of analysis frames handed out and given back, so steady-state
/// reading allocates no pixel memory per frame.
public final class AnalysisFramePool {
    public let capacity: Int
    private var free: [AnalysisFrame] = []
    public private(set) var created = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "a pool needs at least one frame")
        self.capacity = capacity
        free.reserveCapacity(capacity)
    }

    /// A frame to fill, or nil when every frame is out (the caller is too slow).
    public func acquire() -> AnalysisFrame? {
        if let frame = free.popLast() { return frame }
        guard created < capacity else { return nil }
        created += 1
        return AnalysisFrame()
    }

    public func release(_ frame: AnalysisFrame) {
        frame.picture = nil
        precondition(free.count < capacity, "a frame was released twice")
        free.append(frame)
    }
}
