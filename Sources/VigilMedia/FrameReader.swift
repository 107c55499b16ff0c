import VigilVision
#if canImport(Glibc)
import Glibc
#endif

/// Reads a source as analysis frames: decode, drop to the analysis rate before
/// scaling, scale luma into a pooled frame. Times each stage for reports.
public final class FrameReader {
    public let source: VideoSource
    public let scaler: LumaScaler
    public let pool: AnalysisFramePool
    /// Target analysis rate; nil keeps every frame.
    public let analysisFPS: Double?
    /// Keep a reference to the full-resolution picture with each analysis frame.
    public var keepsPictures = false

    public private(set) var framesSkipped = 0
    public private(set) var decodeSeconds = 0.0
    public private(set) var scaleSeconds = 0.0
    private var lastBucket = Int.min

    public init(source: VideoSource, size: AnalysisSize, filter: ScaleFilter = .area, analysisFPS: Double? = nil, poolCapacity: Int = 2) {
        self.source = source
        self.scaler = LumaScaler(size: size, filter: filter)
        self.pool = AnalysisFramePool(capacity: poolCapacity)
        self.analysisFPS = analysisFPS.flatMap { $0 > 0 ? $0 : nil }
    }

    /// The next analysis frame, or nil at the end. Give it back with `recycle` once used.
    public func next() throws -> AnalysisFrame? {
        while true {
            let start = MonotonicClock.now()
            let decoded = try source.nextFrame()
            decodeSeconds += MonotonicClock.seconds(since: start)
            guard let decoded else { return nil }
            if let fps = analysisFPS {
                // One frame per 1/fps slot of presentation time: exact for constant
                // frame rates and sensible for variable ones.
                let bucket = Int((decoded.pts * fps + 1e-6).rounded(.down))
                if bucket == lastBucket {
                    framesSkipped += 1
                    continue
                }
                lastBucket = bucket
            }
            guard let frame = pool.acquire() else {
                preconditionFailure("every pooled frame is in use: recycle frames after analysis")
            }
            let scaleStart = MonotonicClock.now()
            do {
                try scaler.scale(decoded, into: &frame.image)
            } catch {
                pool.release(frame)
                throw MediaError.unconvertible(source: source.location.redacted, reason: error.description)
            }
            scaleSeconds += MonotonicClock.seconds(since: scaleStart)
            frame.index = decoded.index
            frame.pts = decoded.pts
            frame.picture = keepsPictures ? decoded.retain() : nil
            return frame
        }
    }

    public func recycle(_ frame: AnalysisFrame) { pool.release(frame) }
}

/// A cheap monotonic clock in seconds, for stage timing.
public enum MonotonicClock {
    public static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    public static func seconds(since start: UInt64) -> Double {
        Double(now() &- start) / 1e9
    }
}
