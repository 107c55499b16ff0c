import Foundation
import Logging
import VigilAnalytics
import VigilClips
import VigilConfig
import VigilEvents
import VigilMedia
import VigilPipeline
import VigilVision

/// What one worker runs: a camera, where its events go, and how its source is read.
public struct WorkerOptions: Sendable {
    public var camera: CameraSettings
    public var queueDirectory: String
    public var queueOptions = QueueOptions()
    public var service = ServiceSettings()
    /// Folder for the state file `vigil status` reads; nil writes none.
    public var stateDirectory: String?
    /// Read a file at its own frame rate, as a camera would send it.
    public var realtime = false
    /// Start a file again at its end, as a camera that never stops.
    public var loop = false
    /// Frames waiting between decode and analysis; more are dropped, oldest first. Nil: about
    /// `bufferSeconds` of the frames analysis is given (see `handoffCapacity`).
    public var bufferFrames: Int?
    /// How long analysis may fall behind before frames are dropped, when `bufferFrames` is
    /// not given. A core shared by a dozen cameras leaves a worker without the CPU for a
    /// few hundred milliseconds now and then; 4 frames (160 ms at 25 fps, the old default)
    /// dropped frames there while the workers kept up on average (BENCHMARKS.md, issue 17).
    public static let bufferSeconds = 1.0
    /// The handoff's length in frames: `bufferFrames`, or `bufferSeconds` at the camera's
    /// analysis rate (25 frames a second when it analyses every frame), at least 4. A file
    /// read as fast as it decodes waits for room instead of dropping, so it keeps 4: more
    /// would only hold more pictures. Set when the worker starts; a reload keeps it.
    public var handoffCapacity: Int {
        if let bufferFrames { return max(1, bufferFrames) }
        if waitsForAnalysis(reading: SourceLocation(camera.source)) { return 4 }
        return max(4, Int((Self.bufferSeconds * (camera.analysis.fps ?? 25)).rounded(.up)))
    }
    /// Whether ingest waits for analysis instead of dropping frames: a file read as fast as
    /// it decodes. A live source, or a file at its own pace (`realtime`), cannot wait.
    public func waitsForAnalysis(reading location: SourceLocation) -> Bool { !realtime && !location.isNetwork }
    public var classifier = ObjectClassifier()
    public var crowdModel = CrowdModel.perspectiveOnly
    public var skipNonReferenceFrames = false
    public var decoderThreads = 1
    /// Colour JPEG snapshots filed with events (under the queue's snapshots/), at most this many a second.
    public var snapshotsPerSecond = 4.0
    /// The console's live picture: the latest frame, at most this wide, written to the state
    /// folder as CAMERA.jpg every `livePictureInterval` seconds (0: never).
    public var livePictureWidth = 960
    public var livePictureInterval = 1.0
    /// Where motion has been since the worker started, drawn over the current frame and
    /// written to the state folder as CAMERA-heatmap.png this often (0: never).
    public var heatmapInterval = 60.0
    /// The host name stamped on every event (`site`), for a fleet of hosts sharing one store.
    public var site: String?

    public init(camera: CameraSettings, queueDirectory: String) {
        self.camera = camera
        self.queueDirectory = queueDirectory
    }
}

public enum WorkerState: String, Sendable, Codable {
    case connecting, online, reconnecting, offline, stopped, finished
}

/// What `vigil status` shows of a worker; written to its state file every second.
public struct WorkerStatus: Sendable, Codable, Equatable {
    public var camera: String
    public var pid: Int32
    public var state: WorkerState
    /// The source with any credentials removed.
    public var source: String
    public var startedAt: String
    public var updatedAt: String
    public var framesDecoded = 0
    public var framesAnalysed = 0
    public var framesDropped = 0
    public var decodeErrors = 0
    public var reconnects = 0
    public var outages = 0
    public var eventsAppended = 0
    /// Seconds since the last analysed frame; nil before the first.
    public var lastFrameAge: Double?
    public var lastError: String?
    public var metrics: String?
    /// With --realtime: seconds the newest frame was decoded behind its schedule.
    public var pacingLag: Double?
    /// Frames analysed per second over the last status interval.
    public var analysedFps: Double?
    /// Tracked objects by class in the whole picture and per zone, on the last analysed frame.
    public var objects: ObjectCensus.Counts?
    public var zoneObjects: [String: ObjectCensus.Counts]?
    /// People estimated per zone (crowd zones only).
    public var zonePeople: [String: Double]?
    /// Name of the live picture file in the state folder, when there is one.
    public var picture: String?
    /// Checksum of the camera's settings in force (changes when a reload is applied).
    public var configVersion: String?
}

/// A live camera: an ingest thread reads and decodes the source, reconnecting with
/// back-off; the calling thread analyses the frames and appends events to the queue.
/// Between them a small buffer drops the oldest frame when analysis falls behind.
public final class CameraWorker: @unchecked Sendable {
    public let options: WorkerOptions
    let logger: Logger
    /// The source and camera settings in force; a reload replaces them (under `lock`).
    private var location: SourceLocation
    private var camera: CameraSettings
    private var pendingCamera: CameraSettings?
    private var configVersion: String
    private let handoff: FrameHandoff
    private let lock = NSCondition()
    // Shared between the threads, under `lock`.
    private var stopping = false
    private var ingestFinished = false
    private var currentSource: VideoSource?
    private var lostAt: Double? = MonotonicSeconds.now()
    private var lastError: String?
    private var state = WorkerState.connecting
    private var framesDecoded = 0
    private var decodeErrors = 0
    private var reconnects = 0
    /// With --realtime: how late the newest frame was decoded against its schedule. It stays
    /// near 0 while the machine keeps up and grows without bound when it cannot.
    private var pacingLag: Double?
    // Analysis thread only.
    private var offlineReported = false
    private var outages = 0
    private var framesAnalysed = 0
    private var eventsAppended = 0
    private var lastAnalysedAt: Double?
    private var metrics: WorkerMetrics
    private var unsent: [Event] = []
    /// Event clips (a camera with `clips:`): the ingest thread fills the ring with the source's
    /// packets, the analysis thread's recorder copies them into a clip around each alarm.
    private let clipRing: PacketRing?
    private var clipRecorder: ClipRecorder?
    /// A dual-stream camera's main stream, whose packets the clips copy (read, never decoded).
    private let recordLocation: SourceLocation?
    private var currentRecordSource: VideoSource?
    private let startedAt = UTCTime.now()
    // Pictures, analysis thread only.
    private lazy var snapshotEncoder = SnapshotEncoder(quality: 85)
    private lazy var liveEncoder = SnapshotEncoder(quality: 75, maxWidth: options.livePictureWidth)
    private var lastLivePicture = -Double.infinity
    private var snapshotBudget = 0.0
    private var snapshotBudgetAt = 0.0
    private var wrotePicture = false
    // What the status file shows of the analysis, under `lock`.
    private var sceneCounts: (objects: ObjectCensus.Counts, zones: [String: ObjectCensus.Counts], people: [String: Double])?
    private var fpsWindow: (frames: Int, at: Double) = (0, 0)
    private var analysedFPS: Double?
    /// Where the metrics server listens, for the status file.
    public var metricsAddress: String?

    public init(options: WorkerOptions, logger: Logger) {
        self.options = options
        self.logger = logger
        location = SourceLocation(options.camera.source)
        camera = options.camera
        configVersion = Self.version(of: options.camera)
        handoff = FrameHandoff(capacity: options.handoffCapacity)
        metrics = WorkerMetrics(camera: options.camera.id)
        metrics.sourceUp.record(0)
        if let clips = options.camera.clips {
            let ring = ClipRecorder.makeRing(pre: clips.pre, megabytes: clips.ringMiB)
            clipRing = ring
            var recording = ClipRecorder.Options(camera: options.camera.id, folder: options.queueDirectory, prefix: "clips/",
                                                 settings: ClipPlan.Settings(clips))
            recording.reserveBytes = Int(clips.reserveMiB * 1_048_576)
            let recorder = ClipRecorder(options: recording, ring: ring)
            recorder.log = { [logger] in logger.warning("\($0)") }
            clipRecorder = recorder
            recordLocation = options.camera.recordSource.map(SourceLocation.init)
        } else {
            clipRing = nil
            recordLocation = nil
        }
    }

    /// Asks the worker to finish the frame in hand, flush its events and return; safe from any thread.
    public func stop() {
        lock.lock()
        stopping = true
        currentSource?.abort()
        currentRecordSource?.abort()
        lock.broadcast()
        lock.unlock()
        // Wakes an ingest thread waiting for room; analysis drains what is buffered.
        handoff.close()
    }

    /// Healthy while frames arrive: the source is connected and the last frame was
    /// analysed within the read timeout (the time after which a source counts as stalled).
    public func isHealthy() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard lostAt == nil, let lastAnalysedAt else { return false }
        return MonotonicSeconds.now() - lastAnalysedAt <= options.service.readTimeout
    }

    /// Runs until `stop()`, or until a file source ends (without `loop`). Throws only if
    /// the queue or the analysis cannot start; source faults are retried for ever.
    public func run() throws {
        let writer = try QueueWriter(directory: options.queueDirectory, options: options.queueOptions,
                                     log: { [logger] in logger.warning("\($0)", metadata: ["queue": "\(self.options.queueDirectory)"]) })
        var pipeline = try CameraPipeline(camera: options.camera, classifier: options.classifier, crowdModel: options.crowdModel)
        let ingest = Thread { [self] in ingestLoop() }
        ingest.name = "vigil-ingest"
        ingest.start()
        if let recordLocation {
            let record = Thread { [self] in recordLoop(recordLocation) }
            record.name = "vigil-record"
            record.start()
        }
        logger.info("worker started", metadata: ["source": "\(location.redacted)"])

        var working = HandedFrame(image: GrayImage(width: 0, height: 0), frame: 0, pts: 0, arrival: 0)
        var lastFrame = 0, lastPTS = 0.0
        var lastStatus = 0.0
        var reportedDrops = 0
        while true {
            if let changed = takePendingCamera() {
                pipeline = apply(changed, to: pipeline, frame: lastFrame, pts: lastPTS, writer: writer)
                recordScene(pipeline)
                writeStatus()  // at once, so the console sees the new version without waiting a second
            }
            if handoff.take(into: &working, timeout: 0.2) {
                // Online again only once ingest has reconnected: a frame still queued from before
                // the loss (analysis running behind) is analysed, but is no sign of life.
                if offlineReported && sourceConnected() { reportOnline(writer: writer) }
                let started = MonotonicSeconds.now()
                var events = pipeline.process(working.image, frame: working.frame, pts: working.pts)
                metrics.analysisTime.recordSeconds(MonotonicSeconds.now() - started)
                lastClipOffset = clipTimeOffset(working)
                events = throughClips(events)
                if let picture = working.picture {
                    if !events.isEmpty { attachSnapshots(&events, picture: picture, writer: writer) }
                    writeLivePicture(picture)
                }
                updateHeatmap(pipeline, frame: working.image, picture: working.picture)
                working.picture = nil
                if !events.isEmpty {
                    append(events, writer: writer)
                    metrics.eventLatency.recordSeconds(MonotonicSeconds.now() - working.arrival)
                }
                lastFrame = working.frame
                lastPTS = working.pts
                framesAnalysed += 1
                metrics.framesAnalysed.increment()
                lock.lock()
                lastAnalysedAt = MonotonicSeconds.now()
                lock.unlock()
            } else {
                // No frame: a clip whose source went away is closed here, not at the reconnect.
                let ready = throughClips([])
                if !ready.isEmpty { append(ready, writer: writer) }
                lock.lock()
                let done = ingestFinished
                let closing = stopping
                lock.unlock()
                if done { break }
                if closing { usleep(1000) }  // the handoff no longer waits; ingest is ending
            }
            let dropped = handoff.droppedCount
            if dropped > reportedDrops {
                metrics.framesDropped.increment(by: Int64(dropped - reportedDrops))
                reportedDrops = dropped
            }
            checkOffline(writer: writer)
            if !unsent.isEmpty { append([], writer: writer) }
            if MonotonicSeconds.now() - lastStatus >= 1 {
                lastStatus = MonotonicSeconds.now()
                // Counts by zone only for the status file: once a second, not per frame.
                recordScene(pipeline)
                writeStatus()
            }
        }
        // Durational events still open end here, so a consumer never waits for an end that will not come.
        if framesAnalysed > 0 {
            append(throughClips(pipeline.finish(frame: lastFrame, pts: lastPTS)), writer: writer)
        }
        if let clipRecorder { append(clipRecorder.finish(), writer: writer) }
        if !unsent.isEmpty {
            do { try writer.append(unsent, retryingFor: 1); eventsAppended += unsent.count; unsent.removeAll() } catch {
                logger.error("\(unsent.count) event(s) could not be appended before exit: \(error)")
            }
        }
        lock.lock()
        if state != .finished { state = .stopped }
        lock.unlock()
        writeStatus()
        logger.info("worker stopped", metadata: ["frames_analysed": "\(framesAnalysed)", "events": "\(eventsAppended)"])
    }

    // MARK: Live reload

    /// Takes a changed configuration for this camera; the analysis thread applies it before
    /// the next frame. Safe from any thread.
    public func reload(_ changed: CameraSettings) {
        lock.lock()
        if changed != camera || pendingCamera != nil { pendingCamera = changed }
        lock.unlock()
    }

    private func takePendingCamera() -> CameraSettings? {
        lock.lock()
        defer { lock.unlock() }
        let changed = pendingCamera
        pendingCamera = nil
        return changed
    }

    /// Zones, lines and rules change from the next frame with the motion model and tracks
    /// kept; a new source reconnects; a change to what the model learned on starts the
    /// analysis afresh. Events that the change ends are appended first.
    private func apply(_ changed: CameraSettings, to pipeline: CameraPipeline, frame: Int, pts: Double, writer: QueueWriter) -> CameraPipeline {
        lock.lock()
        let previous = camera
        camera = changed
        configVersion = Self.version(of: changed)
        let sourceChanged = changed.source != previous.source || changed.rtspTransport != previous.rtspTransport
        if sourceChanged { location = SourceLocation(changed.source) }
        lock.unlock()
        var result = pipeline
        do {
            append(throughClips(try pipeline.reconfigure(changed, frame: frame, pts: pts)), writer: writer)
            logger.notice("configuration reloaded", metadata: ["version": "\(Self.version(of: changed))", "zones": "\(changed.zones.count)", "lines": "\(changed.lines.count)"])
        } catch {
            do {
                let fresh = try CameraPipeline(camera: changed, classifier: options.classifier, crowdModel: options.crowdModel)
                if framesAnalysed > 0 { append(throughClips(pipeline.finish(frame: frame, pts: pts)), writer: writer) }
                result = fresh
                logger.notice("configuration reloaded; the analysis starts afresh", metadata: ["reason": "\(error)"])
            } catch {
                // Not expected after validation; the running analysis goes on unchanged.
                logger.error("configuration change refused: \(error)")
                lock.lock()
                camera = previous
                configVersion = Self.version(of: previous)
                lock.unlock()
                return pipeline
            }
        }
        // A new source, or frames of another size or rate: read the source again.
        if sourceChanged || changed.analysis != previous.analysis {
            lock.lock()
            currentSource?.abort()
            lock.unlock()
            logger.notice("reconnecting for the changed source settings")
        }
        return result
    }

    /// The settings' checksum that status files show as `config_version`.
    public static func version(of camera: CameraSettings) -> String {
        let checksum = CRC32C.checksum(Array(String(describing: camera).utf8))
        let hex = String(checksum, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    // MARK: Ingest

    private func ingestLoop() {
        var attempt = 0
        var frameBase = 0, ptsBase = 0.0
        var lastFrame = -1, lastPTS = 0.0, lastDeliveredAt = 0.0
        var connectedOnce = false
        var restartingLoop = false
        var decodeErrorLog = RateLimitedLog(logger: logger, interval: 60)
        defer {
            handoff.close()
            lock.lock()
            ingestFinished = true
            currentSource = nil
            lock.unlock()
        }
        while !isStopping {
            var sourceOptions = SourceOptions()
            sourceOptions.openTimeout = options.service.readTimeout
            sourceOptions.readTimeout = options.service.readTimeout
            sourceOptions.decoderThreads = options.decoderThreads
            sourceOptions.skipNonReferenceFrames = options.skipNonReferenceFrames
            lock.lock()
            let camera = self.camera, location = self.location
            lock.unlock()
            sourceOptions.rtspTransport = RTSPTransport(rawValue: camera.rtspTransport) ?? .auto
            // A file starting again under --loop is not a reconnect: the camera stays online.
            if !restartingLoop { setState(connectedOnce ? .reconnecting : .connecting, keepOffline: true) }
            restartingLoop = false
            var endedCleanly = false
            do {
                let source = try VideoSource(location, options: sourceOptions)
                if let clipRing, recordLocation == nil {
                    clipRing.reset(parameters: source.streamParameters())
                    source.packetRing = clipRing
                }
                lock.lock()
                if stopping { lock.unlock(); source.abort(); break }
                currentSource = source
                lock.unlock()
                let reader = FrameReader(source: source, size: AnalysisSize(width: camera.analysis.width),
                                         analysisFPS: camera.analysis.fps)
                // The picture rides along by reference for snapshots and the live picture.
                reader.keepsPictures = options.snapshotsPerSecond > 0 || (options.stateDirectory != nil && options.livePictureInterval > 0)
                var firstPTS: Double?
                var pacedFrom = 0.0
                var countedErrors = 0
                var first = true
                while true {
                    let decodeStart = MonotonicSeconds.now()
                    guard let frame = try reader.next() else { break }
                    metrics.decodeTime.recordSeconds(MonotonicSeconds.now() - decodeStart)
                    if first {
                        first = false
                        // Keep frame numbers and time going across reconnects and loops, so rules
                        // that time things (loitering, stopped vehicles) see one continuous stream.
                        let gap = lastFrame < 0 ? 0 : max(MonotonicSeconds.now() - lastDeliveredAt, 0)
                        frameBase = lastFrame + 1 - frame.index
                        ptsBase = lastFrame < 0 ? -frame.pts : lastPTS + max(gap, 0.04) - frame.pts
                        firstPTS = frame.pts
                        pacedFrom = MonotonicSeconds.now()
                        attempt = 0
                        connectedOnce = true
                        connected(info: source.info, transport: source.rtspTransportUsed, fellBack: source.rtspFellBackToUDP)
                    }
                    if options.realtime, let firstPTS {
                        let due = pacedFrom + (frame.pts - firstPTS)
                        let wait = due - MonotonicSeconds.now()
                        if wait > 0 { sleepInterruptibly(wait) }
                        lock.lock()
                        pacingLag = max(0, -wait)
                        lock.unlock()
                    }
                    if isStopping { reader.recycle(frame); break }
                    lastFrame = frameBase + frame.index
                    lastPTS = ptsBase + frame.pts
                    lastDeliveredAt = MonotonicSeconds.now()
                    handoff.push(frame.image, frame: lastFrame, pts: lastPTS, arrival: lastDeliveredAt, sourceOffset: ptsBase, picture: frame.picture,
                                 waitIfFull: options.waitsForAnalysis(reading: location))
                    reader.recycle(frame)
                    lock.lock()
                    framesDecoded += 1
                    lock.unlock()
                    metrics.framesDecoded.increment()
                    if source.decodeErrors > countedErrors {
                        let new = source.decodeErrors - countedErrors
                        countedErrors = source.decodeErrors
                        metrics.decodeErrors.increment(by: Int64(new))
                        lock.lock()
                        decodeErrors += new
                        lock.unlock()
                        decodeErrorLog.warning("damaged packets could not be decoded", count: new,
                                               detail: source.lastErrorText ?? "unknown")
                    }
                }
                endedCleanly = !source.endedOnReadError
                if source.endedOnReadError { recordLoss("the stream ended on a read error: \(source.lastErrorText ?? "unknown")") }
            } catch {
                recordLoss("\(error)")
            }
            lock.lock()
            currentSource = nil
            lock.unlock()
            // The source's packets end here: a clip being recorded closes with what it has.
            if recordLocation == nil { clipRing?.reset(parameters: nil) }
            if isStopping { break }
            if !location.isNetwork && endedCleanly {
                if options.loop { restartingLoop = true; continue }
                // A file without --loop is a recording that has been fully analysed.
                setState(.finished, keepOffline: false)
                break
            }
            if endedCleanly { recordLoss("the stream ended") }
            // Back off before the next attempt: doubling, capped, with jitter so a fleet
            // that lost one switch does not reconnect in lock step.
            let delay = min(options.service.reconnectFirst * pow(2, Double(min(attempt, 20))), options.service.reconnectLongest)
            attempt += 1
            lock.lock()
            reconnects += 1
            lock.unlock()
            metrics.reconnects.increment()
            sleepInterruptibly(delay * Double.random(in: 0.5...1.0))
        }
    }

    /// Gives events their clip (an end ends its clip's alarm, whether a frame, a reload or
    /// the worker's stop ended it), followed by any clip that finished.
    private func throughClips(_ events: [Event]) -> [Event] {
        guard let clipRecorder else { return events }
        var events = events
        let ready = clipRecorder.process(&events, timeOffset: lastClipOffset)
        if !ready.isEmpty { events += ready }
        return events
    }
    private var lastClipOffset = 0.0

    /// Event time minus the clip ring's time for a frame: the source's own timeline, or with
    /// a separate record stream, the time frames and packets arrived (the two streams'
    /// timestamps share no origin).
    private func clipTimeOffset(_ frame: HandedFrame) -> Double {
        recordLocation == nil ? frame.sourceOffset : frame.pts - frame.arrival
    }

    /// A dual-stream camera's main stream: its packets go to the clips' ring, undecoded. It
    /// reconnects on its own, with the same back-off as the analysed stream; while it is
    /// down, clips are given up and events go on.
    private func recordLoop(_ recordLocation: SourceLocation) {
        var attempt = 0
        var failureLog = RateLimitedLog(logger: logger, interval: 60)
        while !isStopping {
            var sourceOptions = SourceOptions()
            sourceOptions.openTimeout = options.service.readTimeout
            sourceOptions.readTimeout = options.service.readTimeout
            sourceOptions.decoderThreads = 1
            lock.lock()
            let transport = camera.rtspTransport
            lock.unlock()
            sourceOptions.rtspTransport = RTSPTransport(rawValue: transport) ?? .auto
            var endedCleanly = false
            do {
                let source = try VideoSource(recordLocation, options: sourceOptions)
                lock.lock()
                if stopping { lock.unlock(); source.abort(); break }
                currentRecordSource = source
                lock.unlock()
                clipRing?.reset(parameters: source.streamParameters())
                source.timesPacketsByArrival = true
                source.packetRing = clipRing
                attempt = 0
                logger.info("record stream connected", metadata: ["size": "\(source.info.width)x\(source.info.height)", "codec": "\(source.info.codecName)"])
                var firstTime: Double?
                var pacedFrom = 0.0
                reading: while !isStopping {
                    switch try source.forwardPacket() {
                    case .end: break reading
                    case .other: continue
                    case let .video(time):
                        // A file sent as a camera would: at its own pace, as the analysed one is.
                        guard options.realtime, let time else { continue }
                        if firstTime == nil { firstTime = time; pacedFrom = MonotonicSeconds.now() }
                        let wait = pacedFrom + (time - (firstTime ?? time)) - MonotonicSeconds.now()
                        if wait > 0 { sleepInterruptibly(wait) }
                    }
                }
                endedCleanly = !source.endedOnReadError
                if source.endedOnReadError { failureLog.warning("record stream lost", count: 1, detail: source.lastErrorText ?? "unknown") }
            } catch {
                failureLog.warning("record stream unavailable; clips wait for it", count: 1, detail: "\(error)")
            }
            lock.lock()
            currentRecordSource = nil
            lock.unlock()
            clipRing?.reset(parameters: nil)
            if isStopping { break }
            if !recordLocation.isNetwork && endedCleanly && !options.loop { break }
            if endedCleanly && !recordLocation.isNetwork { continue }
            let delay = min(options.service.reconnectFirst * pow(2, Double(min(attempt, 20))), options.service.reconnectLongest)
            attempt += 1
            sleepInterruptibly(delay * Double.random(in: 0.5...1.0))
        }
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    private func sleepInterruptibly(_ seconds: Double) {
        lock.lock()
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !stopping && lock.wait(until: deadline) {}
        lock.unlock()
    }

    private func connected(info: StreamInfo, transport: RTSPTransport?, fellBack: Bool) {
        lock.lock()
        let wasLost = lostAt
        lostAt = nil
        lastError = nil
        state = .online
        lock.unlock()
        metrics.sourceUp.record(1)
        // A file starting again under --loop is not news; a first connection or a recovery is.
        var metadata: Logger.Metadata = ["size": "\(info.width)x\(info.height)", "codec": "\(info.codecName)",
                                         "after_seconds": "\(wasLost.map { String(format: "%.1f", MonotonicSeconds.now() - $0) } ?? "0")"]
        if let transport { metadata["rtsp_transport"] = "\(transport.rawValue)" }
        // Which transport an RTSP camera ended up on is worth one line the first time, and a
        // fallback to UDP always (it explains lost packets on a lossy network).
        let firstRTSP = transport != nil && !loggedTransport
        if firstRTSP { loggedTransport = true }
        let level: Logger.Level = wasLost != nil || firstRTSP || fellBack ? .info : .debug
        logger.log(level: level, fellBack ? "source connected over UDP: the server refused RTSP over TCP" : "source connected", metadata: metadata)
    }

    private var loggedTransport = false

    private func recordLoss(_ reason: String) {
        // Errors name the redacted source already (SourceLocation's description).
        lock.lock()
        if lostAt == nil { lostAt = MonotonicSeconds.now() }
        let repeated = lastError == reason
        lastError = reason
        lock.unlock()
        metrics.sourceUp.record(0)
        if !repeated { logger.warning("source lost: \(reason)") }
    }

    private func sourceConnected() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return lostAt == nil
    }

    private func setState(_ new: WorkerState, keepOffline: Bool) {
        lock.lock()
        if !(keepOffline && state == .offline) { state = new }
        lock.unlock()
    }

    // MARK: Analysis side

    private func checkOffline(writer: QueueWriter) {
        lock.lock()
        let since = lostAt
        let reason = lastError
        lock.unlock()
        guard let since, !offlineReported, MonotonicSeconds.now() - since >= options.service.offlineAfter else { return }
        offlineReported = true
        outages += 1
        setState(.offline, keepOffline: false)
        logger.error("camera offline", metadata: ["for_seconds": "\(Int(MonotonicSeconds.now() - since))", "reason": "\(reason ?? "no frames")"])
        append([Event(type: .cameraOffline, camera: options.camera.id,
                      data: ["reason": .string(reason ?? "no frames arrived"),
                             "offline_seconds": .double((MonotonicSeconds.now() - since).rounded())])], writer: writer)
    }

    private func reportOnline(writer: QueueWriter) {
        offlineReported = false
        logger.notice("camera online")
        append([Event(type: .cameraOnline, camera: options.camera.id)], writer: writer)
    }

    private func append(_ events: [Event], writer: QueueWriter) {
        if let site = options.site {
            unsent.append(contentsOf: events.map { event in var stamped = event; stamped.site = site; return stamped })
        } else {
            unsent.append(contentsOf: events)
        }
        guard !unsent.isEmpty else { return }
        do {
            try writer.append(unsent)
            for event in unsent { metrics.countEvent(event.type.rawValue) }
            eventsAppended += unsent.count
            unsent.removeAll(keepingCapacity: true)
        } catch {
            // Keep them and try again next frame; a full disk must not lose the events.
            if unsent.count > 100_000 {
                logger.critical("queue unwritable; dropping the oldest events to bound memory", metadata: ["error": "\(error)"])
                unsent.removeFirst(unsent.count - 100_000)
            } else {
                queueErrorLog.warning("cannot append to the queue; holding events", count: 1, detail: "\(error)")
            }
        }
    }
    private lazy var queueErrorLog = RateLimitedLog(logger: logger, interval: 10)

    /// Files a colour snapshot, with the event's box drawn, for each event an operator
    /// looks at (starts and one-off alarms), within the per-second budget.
    private func attachSnapshots(_ events: inout [Event], picture: VideoPicture, writer: QueueWriter) {
        guard options.snapshotsPerSecond > 0 else { return }
        let now = MonotonicSeconds.now()
        snapshotBudget = min(options.snapshotsPerSecond, snapshotBudget + (now - snapshotBudgetAt) * options.snapshotsPerSecond)
        snapshotBudgetAt = now
        let store = SnapshotStore(queueDirectory: options.queueDirectory)
        for index in events.indices where Self.wantsSnapshot(events[index]) {
            guard snapshotBudget >= 1 else { break }
            snapshotBudget -= 1
            let box = events[index].bbox.flatMap { $0.count == 4 ? Box(x: $0[0], y: $0[1], width: $0[2], height: $0[3]) : nil }
            do {
                let jpeg = try snapshotEncoder.jpeg(picture, box: box)
                events[index].snapshot = try store.store(jpeg, eventID: events[index].id, time: events[index].time)
            } catch {
                // The event matters more than its picture: it goes out without one.
                snapshotErrorLog.warning("cannot file a snapshot", count: 1, detail: "\(error)")
            }
        }
    }
    private lazy var snapshotErrorLog = RateLimitedLog(logger: logger, interval: 60)

    static func wantsSnapshot(_ event: Event) -> Bool {
        guard event.state != .end else { return false }
        switch event.type {
        case .cameraOffline, .cameraOnline, .trafficFlow, .manual, .acknowledgement, .configChange, .clipReady: return false
        default: return true
        }
    }

    /// The console's live picture, replaced atomically so a reader never sees half of one.
    private func writeLivePicture(_ picture: VideoPicture) {
        guard let directory = options.stateDirectory, options.livePictureInterval > 0 else { return }
        let now = MonotonicSeconds.now()
        guard now - lastLivePicture >= options.livePictureInterval else { return }
        lastLivePicture = now
        do {
            let jpeg = try liveEncoder.jpeg(picture)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(jpeg).write(to: URL(fileURLWithPath: directory + "/" + options.camera.id + ".jpg"), options: .atomic)
            wrotePicture = true
        } catch {
            pictureErrorLog.warning("cannot write the live picture", count: 1, detail: "\(error)")
        }
    }
    private lazy var pictureErrorLog = RateLimitedLog(logger: logger, interval: 60)

    private func updateHeatmap(_ pipeline: CameraPipeline, frame: GrayImage, picture: VideoPicture?) {
        guard let directory = options.stateDirectory, options.heatmapInterval > 0, let mask = pipeline.analyzer.lastMask else { return }
        if mask.width != frame.width || mask.height != frame.height { return }
        heatmap.add(frame: frame, mask: mask)
        let now = MonotonicSeconds.now()
        // The first one soon after start, so a new camera's screen is not empty for a minute.
        let due = lastHeatmap == -Double.infinity ? heatmap.frames >= 25 : now - lastHeatmap >= options.heatmapInterval
        guard due else { return }
        lastHeatmap = now
        heatmap.setBackground(frame)
        guard let grey = heatmap.first else { return }
        do {
            // Over today's colour picture when the worker keeps pictures (snapshots, live picture).
            try heatmapPainter.write(counts: heatmap.counts, frames: heatmap.frames, width: grey.width, height: grey.height,
                                     picture: picture, grey: grey, to: directory + "/" + options.camera.id + "-heatmap.png")
        } catch {
            pictureErrorLog.warning("cannot write the heatmap", count: 1, detail: "\(error)")
        }
    }
    private var heatmap = OccupancyHeatmap()
    private var lastHeatmap = -Double.infinity
    private lazy var heatmapPainter = HeatmapPainter()

    private func recordScene(_ pipeline: CameraPipeline) {
        let census = pipeline.census
        var zones: [String: ObjectCensus.Counts] = [:]
        for (index, zone) in census.zones.enumerated() where index < census.perZone.count { zones[zone.id] = census.perZone[index] }
        var people: [String: Double] = [:]
        if pipeline.measuresPeople {
            for (index, zone) in pipeline.zones.enumerated() where zone.crowd != nil && index + 1 < pipeline.people.count {
                people[zone.id] = (pipeline.people[index + 1] * 10).rounded() / 10
            }
        }
        let now = MonotonicSeconds.now()
        lock.lock()
        sceneCounts = (census.frame, zones, people)
        if fpsWindow.at == 0 { fpsWindow = (framesAnalysed, now) }
        else if now - fpsWindow.at >= 2 {
            analysedFPS = (Double(framesAnalysed - fpsWindow.frames) / (now - fpsWindow.at) * 10).rounded() / 10
            fpsWindow = (framesAnalysed, now)
        }
        lock.unlock()
    }

    public func status() -> WorkerStatus {
        lock.lock()
        defer { lock.unlock() }
        var status = WorkerStatus(camera: options.camera.id, pid: getpid(), state: state, source: location.redacted,
                                  startedAt: startedAt, updatedAt: UTCTime.now())
        status.configVersion = configVersion
        status.framesDecoded = framesDecoded
        status.framesAnalysed = framesAnalysed
        status.framesDropped = handoff.droppedCount
        status.decodeErrors = decodeErrors
        status.reconnects = reconnects
        status.outages = outages
        status.eventsAppended = eventsAppended
        status.lastFrameAge = lastAnalysedAt.map { ((MonotonicSeconds.now() - $0) * 10).rounded() / 10 }
        status.lastError = lastError
        status.metrics = metricsAddress
        status.pacingLag = pacingLag.map { ($0 * 1000).rounded() / 1000 }
        status.analysedFps = analysedFPS
        if let sceneCounts {
            status.objects = sceneCounts.objects
            status.zoneObjects = sceneCounts.zones
            status.zonePeople = sceneCounts.people.isEmpty ? nil : sceneCounts.people
        }
        status.picture = wrotePicture ? options.camera.id + ".jpg" : nil
        return status
    }

    private func writeStatus() {
        guard let directory = options.stateDirectory else { return }
        do {
            try WorkerStatusFile.write(status(), directory: directory)
        } catch {
            statusErrorLog.warning("cannot write the state file", count: 1, detail: "\(error)")
        }
    }
    private lazy var statusErrorLog = RateLimitedLog(logger: logger, interval: 60)
}

/// Monotonic seconds, for intervals that must not jump with the wall clock.
enum MonotonicSeconds {
    static func now() -> Double { MonotonicClock.seconds(since: 0) }
}
