import FoundationEssentials
import Synchronization
import VigilAnalytics
import VigilClips
import VigilConfig
import VigilEvents
import VigilMedia
import VigilVision
#if canImport(Glibc)
import Glibc
#endif

/// What `vigil analyze` was asked to do.
public struct ClipAnalysisOptions: Sendable {
    public enum Analysis: String, Sendable, CaseIterable {
        /// Vigil's motion detector.
        case motion
        /// The simple running-average baseline, kept for comparison.
        case baseline
        /// No analysis at all: measures ingest (decode + scale) on its own.
        case none
    }

    public var input: SourceLocation
    public var source = SourceOptions()
    public var size = AnalysisSize()
    public var scaleFilter = ScaleFilter.area
    public var analysisFPS: Double?
    public var analysis: Analysis = .motion
    /// One JSON line per analysed frame.
    public var framesOut: String?
    /// A PNG foreground mask per analysed frame, named by frame index.
    public var masksOut: String?
    /// Motion detector settings (sensitivity, minimum difference, minimum blob size).
    public var motion = MotionSettings()
    /// The background model asked for on the command line (nil: the camera's, else the default).
    public var motionModel: MotionModelKind?
    /// The camera whose zones and ignore areas apply (from the configuration).
    public var camera: CameraSettings?
    /// Events as JSON Lines.
    public var eventsOut: String?
    /// A queue folder to append events to.
    public var queue: String?
    /// A folder for event clips (the source's packets, copied); the camera's `clips:` or the defaults apply.
    public var clipsOut: String?
    /// Tracks in MOTChallenge CSV, source pixels.
    public var tracksOut: String?
    /// A video of the analysis frames with masks, tracks, zones and lines drawn.
    public var annotate: String?
    /// What `annotate` draws on: grey analysis frames (default) or the source's colour pictures.
    public var annotateSize: AnnotationSize = .analysis
    /// A PNG of where things moved, over the first frame.
    public var heatmap: String?
    /// Object-class thresholds, and where they came from (for the report).
    public var classifier = ObjectClassifier()
    public var classifierSource = "built-in defaults"
    /// People-count model (the camera's `model`, or the perspective-only default).
    public var crowdModel = CrowdModel.perspectiveOnly

    public init(input: SourceLocation) { self.input = input }
}

/// Progress as the analysis goes, for a progress bar.
public struct ClipProgress: Sendable {
    public var framesDecoded: Int
    public var framesAnalysed: Int
    public var estimatedTotal: Int?
    public var elapsedSeconds: Double
}

/// Everything measured in one run; `--report` writes it as JSON.
public struct ClipReport: Codable, Sendable {
    public struct Source: Codable, Sendable {
        public var location: String
        public var container: String
        public var codec: String
        public var width: Int
        public var height: Int
        public var fps: Double?
        public var duration: Double?
    }
    public struct Frames: Codable, Sendable {
        public var decoded: Int
        public var analysed: Int
        public var skipped: Int
        public var decodeErrors: Int
        public var damaged: Int
        public var packetsRead: Int
        public var declared: Int?
        /// Errors FFmpeg's decoder and demuxer logged (concealed damage, lost sync).
        public var decoderLoggedErrors: Int = 0
        public var demuxerLoggedErrors: Int = 0
    }
    public var vigilReportVersion = 1
    public var source: Source
    public var analysisWidth: Int
    public var analysisHeight: Int
    public var analysis: String
    public var frames: Frames
    /// True when the input ended early or had damaged data; the frames before the damage were analysed.
    public var incomplete: Bool
    public var incompleteReason: String?
    public var wallSeconds: Double
    public var framesPerSecond: Double
    /// Opening the source, in milliseconds (once).
    public var openMilliseconds: Double
    /// Time per analysed frame in each stage, in milliseconds.
    public var stageMillisecondsPerFrame: [String: Double]
    public var meanMotion: Double?
    /// Events emitted, by type.
    public var events: [String: Int] = [:]
    /// Confirmed tracks over the clip, and counted crossings per line.
    public var tracks: Int?
    public var lineCounts: [String: Int]?
    public var classifier: String?
    /// Event clips written and given up (with --clips-out).
    public var clips: Int?
    public var clipsFailed: Int?
}

/// The offline pipeline: reads every frame of a clip (or every frame the analysis
/// rate keeps), analyses it and writes the evaluation outputs.
public final class ClipAnalysis {
    public let options: ClipAnalysisOptions
    public var progressInterval = 0.1
    /// Set from another thread (or through `stopRequested`, from a signal handler's flag).
    private let cancelled = Atomic<Bool>(false)
    /// Asked once per frame: true stops the run as `cancel()` does.
    public var stopRequested: () -> Bool = { false }

    public init(options: ClipAnalysisOptions) { self.options = options }

    public func run(progress: ((ClipProgress) -> Void)? = nil) throws -> ClipReport {
        let started = MonotonicClock.now()
        let source = try VideoSource(options.input, options: options.source)
        let openMilliseconds = MonotonicClock.seconds(since: started) * 1000
        let reader = FrameReader(source: source, size: options.size, filter: options.scaleFilter, analysisFPS: options.analysisFPS)

        let pipeline = try CameraPipeline(camera: options.camera, analysis: options.analysis, motion: options.motion, motionModel: options.motionModel, classifier: options.classifier,
                                          crowdModel: options.crowdModel)
        if options.framesOut != nil { pipeline.measuresPeople = true }
        let zones = pipeline.zones
        let tracking = pipeline.tracking
        var tracksWriter: TrackFileWriter? = nil
        if let path = options.tracksOut { tracksWriter = try TrackFileWriter(path: path) }
        let annotator = options.annotate.map {
            ClipAnnotator(path: $0, framesPerSecond: Int((options.analysisFPS ?? source.info.framesPerSecond ?? 25).rounded()),
                          size: options.annotateSize)
        }
        if annotator?.needsPictures == true { reader.keepsPictures = true }
        let drawnZones = zones.map { (id: $0.id, polygon: Polygon($0.polygon.map { Point(x: $0.x, y: $0.y) })) }
        var heatmap = OccupancyHeatmap()
        var heatmapPicture: VideoPicture? = nil
        if options.heatmap != nil { reader.keepsPictures = true }
        var events = try EventOutput(eventsOut: options.eventsOut, queue: options.queue)
        defer { events.close() }
        var recorder: ClipRecorder? = nil
        if let folder = options.clipsOut {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let settings = options.camera?.clips ?? ClipSettings()
            let ring = ClipRecorder.makeRing(pre: settings.pre, megabytes: settings.ringMiB)
            ring.reset(parameters: source.streamParameters())
            source.packetRing = ring
            var recording = ClipRecorder.Options(camera: options.camera?.id ?? "clip", folder: folder, prefix: "", settings: ClipPlan.Settings(settings))
            recording.reserveBytes = Int(settings.reserveMiB * 1_048_576)
            recorder = ClipRecorder(options: recording, ring: ring)
            recorder?.log = { message in
                let line = Array("vigil: \(message)\n".utf8)
                _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            }
        }
        func emit(_ produced: [Event]) throws {
            var produced = produced
            if let recorder {
                let ready = recorder.process(&produced)
                if !ready.isEmpty { produced += ready }
            }
            try events.write(produced)
        }
        var lastIndex = 0, lastPTS = 0.0
        var framesWriter: LineFileWriter? = nil
        if let path = options.framesOut { framesWriter = try LineFileWriter(path: path) }
        var maskEncoder: ImageEncoder? = nil
        if let directory = options.masksOut {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            maskEncoder = ImageEncoder(format: .png)
        }

        var analysed = 0
        var outputSeconds = 0.0
        var motionSum = 0.0, motionFrames = 0
        var lastProgress = started
        var analysisWidth = 0, analysisHeight = 0
        let estimatedTotal = source.info.estimatedFrameCount

        var stalledAfterFrames: MediaError? = nil
        while !cancelled.load(ordering: .relaxed) && !stopRequested() {
            let next: AnalysisFrame?
            do {
                next = try reader.next()
            } catch let error as MediaError where source.framesDecoded > 0 {
                // A stream that goes quiet after sending frames has ended for an offline run;
                // keep what was analysed and say why it stopped.
                stalledAfterFrames = error
                break
            }
            guard let frame = next else { break }
            try emit(pipeline.process(frame.image, frame: frame.index, pts: frame.pts))
            let observation = pipeline.observation
            if tracking, let tracksWriter {
                try tracksWriter.write(frame: frame.index, tracker: pipeline.tracker,
                                       scaleX: Double(source.info.width) / Double(frame.image.width),
                                       scaleY: Double(source.info.height) / Double(frame.image.height))
            }
            lastIndex = frame.index
            lastPTS = frame.pts
            analysed += 1
            analysisWidth = frame.image.width
            analysisHeight = frame.image.height
            if let motion = observation.motionFraction { motionSum += motion; motionFrames += 1 }

            let outputStart = MonotonicClock.now()
            if let annotator {
                try annotator.write(frame.image, picture: frame.picture, mask: pipeline.analyzer.lastMask, tracks: tracking ? pipeline.tracker.tracks : [], zones: drawnZones,
                                    lines: tracking ? pipeline.trackRules.lineTotals : [], frameIndex: frame.index)
            }
            if options.heatmap != nil, let mask = pipeline.analyzer.lastMask {
                heatmap.add(frame: frame.image, mask: mask)
                // The first analysed frame's colour picture is the heatmap's background.
                if heatmapPicture == nil, let picture = frame.picture { heatmapPicture = picture }
                reader.keepsPictures = heatmapPicture == nil || annotator?.needsPictures == true
            }
            if let framesWriter {
                var line = FrameLine(frame: frame.index, pts: Self.rounded(frame.pts, 6))
                line.motion = observation.motionFraction.map { Self.rounded($0, 6) }
                if pipeline.measuredZones {
                    line.zones = Dictionary(zip(zones, pipeline.fractions.dropFirst()).map { ($0.id, Self.rounded($1, 6)) }, uniquingKeysWith: { first, _ in first })
                }
                if observation.motionFraction != nil, let people = pipeline.people.first {
                    line.people = Self.rounded(people, 2)
                    if !zones.isEmpty {
                        line.zonePeople = Dictionary(zip(zones, pipeline.people.dropFirst()).map { ($0.id, Self.rounded($1, 2)) }, uniquingKeysWith: { first, _ in first })
                    }
                }
                if tracking {
                    line.objects = pipeline.census.frame
                    if !zones.isEmpty {
                        line.zoneObjects = Dictionary(zip(zones, pipeline.census.perZone).map { ($0.id, $1) }, uniquingKeysWith: { first, _ in first })
                    }
                }
                try framesWriter.write(String(decoding: try frameEncoder.encode(line), as: UTF8.self) + "\n")
            }
            if let maskEncoder, let directory = options.masksOut {
                let mask = pipeline.analyzer.lastMask ?? GrayImage(width: frame.image.width, height: frame.image.height)
                try maskEncoder.write(mask, to: "\(directory)/\(Self.maskName(frame.index))")
            }
            outputSeconds += MonotonicClock.seconds(since: outputStart)
            reader.recycle(frame)

            if let progress, MonotonicClock.seconds(since: lastProgress) >= progressInterval {
                lastProgress = MonotonicClock.now()
                progress(ClipProgress(framesDecoded: source.framesDecoded, framesAnalysed: analysed,
                                      estimatedTotal: estimatedTotal, elapsedSeconds: MonotonicClock.seconds(since: started)))
            }
        }
        try framesWriter?.close()
        try tracksWriter?.close()
        try annotator?.finish()
        if let path = options.heatmap {
            guard let first = heatmap.first else {
                throw MediaError.writeFailed(path: path, reason: "no analysed frame to draw the heatmap on")
            }
            try HeatmapPainter().write(counts: heatmap.counts, frames: heatmap.frames, width: first.width, height: first.height,
                                       picture: heatmapPicture, grey: first, to: path)
        }
        // Motion still going at the end of the clip ends there; so do flow intervals and zone rules.
        try emit(pipeline.finish(frame: lastIndex, pts: lastPTS))
        if let recorder { try events.write(recorder.finish()) }

        let wall = MonotonicClock.seconds(since: started)
        progress?(ClipProgress(framesDecoded: source.framesDecoded, framesAnalysed: analysed,
                               estimatedTotal: source.framesDecoded, elapsedSeconds: wall))

        let info = source.info
        var reason: String? = nil
        if let stalledAfterFrames {
            reason = "\(stalledAfterFrames)"
        } else if source.endedOnReadError {
            reason = "reading stopped on an error: \(source.lastErrorText ?? "unknown")"
        } else if let declared = info.declaredFrameCount, source.packetsRead < declared {
            reason = "the file ends after \(source.packetsRead) of the \(declared) frames its index lists"
        } else if source.decodeErrors > 0 {
            reason = "\(source.decodeErrors) damaged packet(s) could not be decoded (last: \(source.lastErrorText ?? "unknown"))"
        } else if source.damagedFrames > 0 {
            reason = "\(source.damagedFrames) frame(s) were decoded from damaged data (the decoder concealed the errors)"
        } else if source.decoderLoggedErrors + source.demuxerLoggedErrors > 0 {
            let parts = [(source.decoderLoggedErrors, "decoder"), (source.demuxerLoggedErrors, "demuxer")].filter { $0.0 > 0 }
                .map { "\($0.0) from the \($0.1)" }.joined(separator: ", ")
            reason = "FFmpeg reported errors in damaged data (\(parts); last: \(source.lastLoggedError ?? "unknown"))"
        } else if let shortfall = Self.shortfall(source: source, info: info) {
            reason = shortfall
        }
        if source.framesDecoded == 0 {
            throw MediaError.nothingDecoded(source: options.input.redacted, reason: reason ?? "the stream holds no decodable frame")
        }
        let perFrame = { (seconds: Double) in analysed > 0 ? Self.rounded(seconds * 1000 / Double(analysed), 4) : 0 }
        var stages: [String: Double] = [
            "decode": perFrame(reader.decodeSeconds),
            "scale": perFrame(reader.scaleSeconds),
            "output": perFrame(outputSeconds),
        ]
        stages["analysis_" + options.analysis.rawValue] = perFrame(pipeline.analyseSeconds)
        if tracking { stages["tracks_and_rules"] = perFrame(pipeline.trackingSeconds) }
        return ClipReport(
            source: .init(location: options.input.redacted, container: info.containerName, codec: info.codecName,
                          width: info.width, height: info.height, fps: info.framesPerSecond, duration: info.duration),
            analysisWidth: analysisWidth, analysisHeight: analysisHeight, analysis: options.analysis.rawValue,
            frames: .init(decoded: source.framesDecoded, analysed: analysed, skipped: reader.framesSkipped,
                          decodeErrors: source.decodeErrors, damaged: source.damagedFrames, packetsRead: source.packetsRead, declared: info.declaredFrameCount,
                          decoderLoggedErrors: source.decoderLoggedErrors, demuxerLoggedErrors: source.demuxerLoggedErrors),
            incomplete: reason != nil, incompleteReason: reason,
            wallSeconds: Self.rounded(wall, 4), framesPerSecond: Self.rounded(Double(analysed) / max(wall, 1e-9), 2),
            openMilliseconds: Self.rounded(openMilliseconds, 3), stageMillisecondsPerFrame: stages,
            meanMotion: motionFrames > 0 ? Self.rounded(motionSum / Double(motionFrames), 6) : nil,
            events: pipeline.eventCounts,
            tracks: tracking ? pipeline.confirmedTrackCount : nil,
            lineCounts: tracking && !(options.camera?.lines.isEmpty ?? true) ? pipeline.trackRules.totals : nil,
            classifier: tracking ? options.classifierSource : nil,
            clips: recorder?.clipsWritten, clipsFailed: recorder?.clipsFailed)
    }

    /// Frames missing against what the container says it holds: a file cut short, or a
    /// region the demuxer skipped silently (zeroed, overwritten), when nothing else said so.
    static func shortfall(source: VideoSource, info: StreamInfo) -> String? {
        guard let duration = info.duration, duration > 0, let fps = info.framesPerSecond, fps > 0, fps < 1000,
              let last = source.lastPTS else { return nil }
        let frame = 1 / fps
        if !source.options.skipNonReferenceFrames {
            let expected = Int((duration * fps).rounded())
            let tolerance = max(3, expected / 50)
            if source.framesDecoded + tolerance < expected {
                return "only \(source.framesDecoded) of the \(expected) frames its duration implies (\(rounded(duration, 2)) s at \(rounded(fps, 2)) fps) could be decoded"
            }
        }
        if last + frame < duration - max(3 * frame, duration * 0.02) {
            return "the video ends at \(rounded(last + frame, 2)) s of the \(rounded(duration, 2)) s the file declares"
        }
        return nil
    }

    /// Stops after the current frame (for SIGINT); the outputs stay consistent.
    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    private let frameEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static func maskName(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".png"
    }

    static func rounded(_ value: Double, _ places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}

extension ClipReport {
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(self)
    }
}

/// Where `vigil analyze` sends events: a JSON Lines file, a queue folder, or both.
struct EventOutput {
    private var file: LineFileWriter?
    private var writer: QueueWriter?
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    init(eventsOut: String?, queue: String?) throws {
        file = try eventsOut.map { try LineFileWriter(path: $0) }
        writer = try queue.map { try QueueWriter(directory: $0) }
    }

    func write(_ events: [Event]) throws {
        guard !events.isEmpty else { return }
        if let file {
            for event in events { try file.write(String(decoding: try encoder.encode(event), as: UTF8.self) + "\n") }
        }
        try writer?.append(events)
    }

    mutating func close() {
        try? file?.close()
        file = nil
        writer = nil
    }
}
