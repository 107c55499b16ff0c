/// How a source is opened and decoded.
public struct SourceOptions: Sendable {
    /// Longest time opening the source and probing its streams may take.
    public var openTimeout: Double = 10
    /// Longest time one read may block before the source counts as stalled.
    public var readTimeout: Double = 10
    /// RTSP over TCP survives lossy networks and NAT far better than UDP, so `auto` tries it
    /// first and falls back to UDP only when the server refuses TCP.
    public var rtspTransport: RTSPTransport = .auto
    /// Decoder threads; 0 lets FFmpeg pick one per core.
    public var decoderThreads: Int = 0
    /// Ask the decoder to skip frames no other frame refers to (cheap frame dropping for low
    /// analysis rates). Frame indices then come from timestamps.
    public var skipNonReferenceFrames: Bool = false
    /// Let the decoder leave out the deblocking filter (H.264's, HEVC's) on frames no other
    /// frame is predicted from: B-frames, in most streams that have them. The filter smooths
    /// block edges for the eye; since nothing refers to these frames, leaving it out never
    /// carries into another frame, and it saves about a tenth of decoding such a stream.
    /// Those frames' analysis pictures move by a few hundredths of a grey level on average, one
    /// level at the 99th percentile (BENCHMARKS.md, issue 17).
    public var skipDeblockingUnreferencedFrames: Bool = true
    /// Extra FFmpeg options passed to avformat_open_input (protocol or demuxer options).
    public var formatOptions: [String: String] = [:]

    public init() {}
}

/// What the container says about the video stream.
public struct StreamInfo: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var codecName: String
    public var containerName: String
    /// Nominal frame rate, if the container knows one.
    public var framesPerSecond: Double?
    /// Duration in seconds, if known (never for live streams).
    public var duration: Double?
    /// Frame count from the container's index, if it has one.
    public var declaredFrameCount: Int?
    /// Display aspect correction (sample aspect ratio); 1 for square pixels.
    public var sampleAspectRatio: Double

    /// Best guess at the number of frames, for progress bars.
    public var estimatedFrameCount: Int? {
        if let declaredFrameCount, declaredFrameCount > 0 { return declaredFrameCount }
        if let duration, let framesPerSecond, duration > 0 { return Int((duration * framesPerSecond).rounded()) }
        return nil
    }
}
