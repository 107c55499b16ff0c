import FoundationEssentials
import VigilAnalytics
import VigilConfig
import VigilEvents
import VigilMedia
import VigilVision

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
    public var motion = MotionDetector.Settings()
    /// The camera whose zones and ignore areas apply (from the configuration).
    public var camera: CameraSettings?
    /// Events as JSON Lines.
    public var eventsOut: String?
    /// A queue folder to append events to.
    public var queue: String?
    /// Tracks in MOTChallenge CSV, source pixels.
    public var tracksOut: String?
    /// A video of the analysis frames with masks, tracks, zones and lines drawn.
    public var annotate: String?
    /// A PNG of where things moved, over the first frame.
    public var heatmap: String?
    /// Object-class thresholds, and where they came from (for the report).
    public var classifier = ObjectClassifier()
    public var classifierSource = "built-in defaults"

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
}

/// The offline pipeline: reads every frame of a clip (or every frame the analysis
/// rate keeps), analyses it and writes the evaluation outputs.
public final class ClipAnalysis {
    public let options: ClipAnalysisOptions
    public var progressInterval = 0.1
    private var cancelled = false

    public init(options: ClipAnalysisOptions) { self.options = options }

    public func run(progress: ((ClipProgress) -> Void)? = nil) throws -> ClipReport {
        let started = MonotonicClock.now()
        let source = try VideoSource(options.input, options: options.source)
        let openMilliseconds = MonotonicClock.seconds(since: started) * 1000
        let reader = FrameReader(source: source, size: options.size, filter: options.scaleFilter, analysisFPS: options.analysisFPS)

        var analyzer: any FrameAnalyzer
        switch options.analysis {
        case .motion:
            var settings = options.motion
            if options.camera?.suppressShadows == true { settings.suppressShadows = true }
            if let perspective = options.camera?.perspective, settings.perspective == nil {
                settings.perspective = PerspectiveScale(nearY: perspective.near.y, nearPersonHeight: perspective.near.personHeight,
                                                        farY: perspective.far.y, farPersonHeight: perspective.far.personHeight)
            }
            analyzer = MotionDetector(settings: settings)
        case .baseline: analyzer = RunningAverageMotion()
        case .none: analyzer = NoAnalysis()
        }
        let cameraID = options.camera?.id ?? "clip"
        let zones = options.camera?.zones ?? []
        let tracking = options.analysis == .motion
        var tracker = Tracker(classifier: options.classifier, perspective: (analyzer as? MotionDetector)?.settings.perspective)
        tracker.settings.splitGroups = options.camera?.splitGroups ?? false
        var trackRules = TrackRules(camera: cameraID, lines: Self.ruleLines(options.camera), zones: Self.ruleZones(options.camera))
        if let image = options.camera?.groundImage, let metres = options.camera?.groundMetres {
            trackRules.ground = try GroundPlane(image: image.map { Point(x: $0.x, y: $0.y) }, ground: metres.map { Point(x: $0.x, y: $0.y) })
        }
        var confirmedTracks = Set<Int>()
        // Tamper runs with the motion analysis, for every camera unless its config turns it off.
        let checkingTamper = tracking && (options.camera?.tamperEnabled ?? true)
        var tamperDetector = TamperDetector()
        var tamperRule = TamperRule(persistSeconds: options.camera?.tamperSeconds ?? 3)
        func tamperEvent(_ transition: TamperRule.Transition) -> Event {
            Event(type: .tamper, camera: cameraID, frame: transition.frame, pts: Self.rounded(transition.pts, 3),
                  state: transition.started ? .start : .end, data: ["reason": .string(transition.reason.rawValue)])
        }
        var tracksWriter: LineFileWriter? = nil
        if let path = options.tracksOut { tracksWriter = try LineFileWriter(path: path) }
        let annotator = options.annotate.map {
            ClipAnnotator(path: $0, framesPerSecond: Int((options.analysisFPS ?? source.info.framesPerSecond ?? 25).rounded()))
        }
        let drawnZones = zones.map { (id: $0.id, polygon: Polygon($0.polygon.map { Point(x: $0.x, y: $0.y) })) }
        var heatmap = OccupancyHeatmap()
        var zoneMasks: [ZoneMask] = []
        var rules = [MotionRule(zone: nil)] + zones.map { MotionRule(zone: $0.id) }
        var events = try EventOutput(eventsOut: options.eventsOut, queue: options.queue)
        defer { events.close() }
        var eventCounts: [String: Int] = [:]
        func emitEvents(_ built: [Event]) throws {
            guard !built.isEmpty else { return }
            try events.write(built)
            for event in built { eventCounts[event.type.rawValue, default: 0] += 1 }
        }
        func emit(_ transitions: [MotionTransition]) throws {
            guard !transitions.isEmpty else { return }
            let built = transitions.map { transition in
                Event(type: .motion, camera: cameraID, frame: transition.frame, pts: Self.rounded(transition.pts, 3),
                      state: transition.state == .start ? .start : .end, zone: transition.zone,
                      data: ["fraction": .double(Self.rounded(transition.fraction, 4))])
            }
            try emitEvents(built)
        }
        var lastIndex = 0, lastPTS = 0.0
        // Reused every frame: slot 0 is the whole frame, then one per zone.
        var fractions = [Double](repeating: 0, count: 1 + zones.count)
        var transitions: [MotionTransition] = []
        transitions.reserveCapacity(fractions.count)
        var framesWriter: LineFileWriter? = nil
        if let path = options.framesOut { framesWriter = try LineFileWriter(path: path) }
        var maskEncoder: ImageEncoder? = nil
        if let directory = options.masksOut {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            maskEncoder = ImageEncoder(format: .png)
        }

        var analysed = 0
        var analyseSeconds = 0.0, outputSeconds = 0.0, trackingSeconds = 0.0
        var motionSum = 0.0, motionFrames = 0
        var lastProgress = started
        var analysisWidth = 0, analysisHeight = 0
        let estimatedTotal = source.info.estimatedFrameCount

        var stalledAfterFrames: MediaError? = nil
        while !cancelled {
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
            if frame.image.width != analysisWidth || frame.image.height != analysisHeight {
                zoneMasks = zones.map { zone in
                    ZoneMask(polygons: [Polygon(zone.polygon.map { Point(x: $0.x, y: $0.y) })], width: frame.image.width, height: frame.image.height)
                }
                if var detector = analyzer as? MotionDetector, let ignore = options.camera?.motionIgnore, !ignore.isEmpty {
                    detector.ignoreMask = ZoneMask(polygons: ignore.map { Polygon($0.map { Point(x: $0.x, y: $0.y) }) },
                                                   width: frame.image.width, height: frame.image.height)
                    analyzer = detector
                }
            }
            let analyseStart = MonotonicClock.now()
            let observation = analyzer.analyze(frame.image)
            var measuredZones = false
            if let mask = analyzer.lastMask, observation.motionFraction != nil {
                // Whole-frame motion follows the largest coherent moving region, so scattered
                // specks from leaves or rain never add up to an event.
                fractions[0] = observation.largestBlobFraction ?? observation.motionFraction ?? 0
                for (index, zone) in zoneMasks.enumerated() { fractions[index + 1] = zone.fraction(of: mask) }
                measuredZones = !zoneMasks.isEmpty
                transitions.removeAll(keepingCapacity: true)
                for index in rules.indices {
                    if let transition = rules[index].observe(fraction: fractions[index], frame: frame.index, pts: frame.pts) {
                        transitions.append(transition)
                    }
                }
                try emit(transitions)
            }
            analyseSeconds += MonotonicClock.seconds(since: analyseStart)
            if tracking {
                let trackingStart = MonotonicClock.now()
                defer { trackingSeconds += MonotonicClock.seconds(since: trackingStart) }
                let width = frame.image.width, height = frame.image.height
                tracker.update(blobs: analyzer.blobs, pts: frame.pts, frameWidth: width, frameHeight: height)
                try emitEvents(trackRules.observe(tracks: tracker.tracks, frame: frame.index, pts: frame.pts, frameWidth: width, frameHeight: height))
                for track in tracker.tracks where track.isConfirmed { confirmedTracks.insert(track.id) }
                if checkingTamper, let transition = tamperRule.observe(tamperDetector.analyze(frame.image), frame: frame.index, pts: frame.pts) {
                    try emitEvents([tamperEvent(transition)])
                }
                if let tracksWriter {
                    let scaleX = Double(source.info.width) / Double(width), scaleY = Double(source.info.height) / Double(height)
                    // Measured tracks only: a coasting track's box is a guess (for a group that
                    // was just told apart, a stale box over all of them).
                    for track in tracker.tracks where track.isConfirmed && !track.isCoasting {
                        let box = track.box
                        try tracksWriter.write("\(frame.index + 1),\(track.id),\(Self.rounded(box.x * scaleX, 2)),\(Self.rounded(box.y * scaleY, 2)),"
                            + "\(Self.rounded(box.width * scaleX, 2)),\(Self.rounded(box.height * scaleY, 2)),1,-1,-1,-1\n")
                    }
                }
            }
            lastIndex = frame.index
            lastPTS = frame.pts
            analysed += 1
            analysisWidth = frame.image.width
            analysisHeight = frame.image.height
            if let motion = observation.motionFraction { motionSum += motion; motionFrames += 1 }

            let outputStart = MonotonicClock.now()
            if let annotator {
                try annotator.write(frame.image, mask: analyzer.lastMask, tracks: tracking ? tracker.tracks : [], zones: drawnZones,
                                    lines: tracking ? trackRules.lineTotals : [], frameIndex: frame.index)
            }
            if options.heatmap != nil, let mask = analyzer.lastMask { heatmap.add(frame: frame.image, mask: mask) }
            if let framesWriter {
                var line = "{\"frame\":\(frame.index),\"pts\":\(Self.rounded(frame.pts, 6))"
                if let motion = observation.motionFraction { line += ",\"motion\":\(Self.rounded(motion, 6))" }
                if measuredZones {
                    let parts = zip(zones, fractions.dropFirst()).map { "\"\($0.id)\":\(Self.rounded($1, 6))" }
                    line += ",\"zones\":{" + parts.joined(separator: ",") + "}"
                }
                line += "}\n"
                try framesWriter.write(line)
            }
            if let maskEncoder, let directory = options.masksOut {
                let mask = analyzer.lastMask ?? GrayImage(width: frame.image.width, height: frame.image.height)
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
            guard let picture = heatmap.render() else {
                throw MediaError.writeFailed(path: path, reason: "no analysed frame to draw the heatmap on")
            }
            try ImageEncoder(format: .png).write(picture, to: path)
        }
        // Motion still going at the end of the clip ends there; so do flow intervals and zone rules.
        try emit(rules.indices.compactMap { rules[$0].finish(frame: lastIndex, pts: lastPTS) })
        if tracking { try emitEvents(trackRules.finish(frame: lastIndex, pts: lastPTS)) }
        if let transition = tamperRule.finish(frame: lastIndex, pts: lastPTS) { try emitEvents([tamperEvent(transition)]) }

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
        stages["analysis_" + options.analysis.rawValue] = perFrame(analyseSeconds)
        if tracking { stages["tracks_and_rules"] = perFrame(trackingSeconds) }
        return ClipReport(
            source: .init(location: options.input.redacted, container: info.containerName, codec: info.codecName,
                          width: info.width, height: info.height, fps: info.framesPerSecond, duration: info.duration),
            analysisWidth: analysisWidth, analysisHeight: analysisHeight, analysis: options.analysis.rawValue,
            frames: .init(decoded: source.framesDecoded, analysed: analysed, skipped: reader.framesSkipped,
                          decodeErrors: source.decodeErrors, damaged: source.damagedFrames, packetsRead: source.packetsRead, declared: info.declaredFrameCount),
            incomplete: reason != nil, incompleteReason: reason,
            wallSeconds: Self.rounded(wall, 4), framesPerSecond: Self.rounded(Double(analysed) / max(wall, 1e-9), 2),
            openMilliseconds: Self.rounded(openMilliseconds, 3), stageMillisecondsPerFrame: stages,
            meanMotion: motionFrames > 0 ? Self.rounded(motionSum / Double(motionFrames), 6) : nil,
            events: eventCounts,
            tracks: tracking ? confirmedTracks.count : nil,
            lineCounts: tracking && !(options.camera?.lines.isEmpty ?? true) ? trackRules.totals : nil,
            classifier: tracking ? options.classifierSource : nil)
    }

    static func ruleLines(_ camera: CameraSettings?) -> [TrackRules.Line] {
        (camera?.lines ?? []).map { line in
            TrackRules.Line(definition: .init(id: line.id, segment: LineSegment(from: Point(x: line.from.x, y: line.from.y), to: Point(x: line.to.x, y: line.to.y)),
                                              aToBName: line.aToBName, bToAName: line.bToAName, minimumDistance: line.minimumDistance),
                            flowInterval: line.flowInterval)
        }
    }

    static func ruleZones(_ camera: CameraSettings?) -> [TrackRules.Zone] {
        (camera?.zones ?? []).map { zone in
            var rule = TrackRules.Zone(id: zone.id, polygon: Polygon(zone.polygon.map { Point(x: $0.x, y: $0.y) }),
                                       intrusionClasses: zone.intrusion.map { Set($0.classes.compactMap(ObjectClass.init(rawValue:))) },
                                       loiteringSeconds: zone.loitering?.seconds)
            rule.stoppedSeconds = zone.stoppedVehicle?.seconds
            if let wrongWay = zone.wrongWay {
                rule.allowedDirection = Point(x: wrongWay.direction.x, y: wrongWay.direction.y)
                rule.wrongWaySeconds = wrongWay.seconds
            }
            if let congestion = zone.congestion { rule.congestion = (congestion.vehicles, congestion.speed, congestion.seconds) }
            rule.abandonedSeconds = zone.abandonedSeconds
            if let schedule = zone.intrusion?.schedule {
                // Schedules are local wall-clock time where Vigil runs.
                rule.intrusionArmed = {
                    let parts = Calendar.current.dateComponents([.hour, .minute], from: Date())
                    return schedule.contains(minuteOfDay: (parts.hour ?? 0) * 60 + (parts.minute ?? 0))
                }
            }
            return rule
        }
    }

    /// Stops after the current frame (for SIGINT); the outputs stay consistent.
    public func cancel() { cancelled = true }

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
