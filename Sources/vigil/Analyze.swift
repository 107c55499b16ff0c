import ArgumentParser
import FoundationEssentials
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import VigilConfig
import VigilMedia
import VigilPipeline
import VigilVision

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyse a recorded clip (or a stream) at full speed.",
        discussion: "INPUT is a file path or a URL (rtsp://, http://, udp://). With --config and --camera, the camera's analysis settings apply and INPUT defaults to its source."
    )

    @Argument(help: "Video file or stream URL.")
    var input: String?

    @Option(help: "Configuration file (YAML).")
    var config: String?

    @Option(help: "Camera id in the configuration whose settings apply.")
    var camera: String?

    @Option(help: "Analysis frame width in pixels (aspect kept; never upscaled). Default 480.")
    var width: Int?

    @Option(help: "Scaling filter: point, fast-bilinear, bilinear or area (cheaper ones alias more).")
    var scaleFilter: String = "area"

    @Option(help: "Analyse at most this many frames per second (others are dropped before scaling).")
    var fps: Double?

    @Flag(help: "Let the decoder skip non-reference frames (faster with --fps; frame indices come from timestamps).")
    var skipNonref = false

    @Option(help: "Decoder threads (0 = one per core).")
    var threads: Int = 0

    @Option(help: "Analysis to run: motion or none (ingest only, for benchmarks).")
    var analysis: String = "motion"

    @Option(help: "Motion: background model, consensus (default) or adaptive (overrides the camera's motion.model).")
    var motionModel: MotionModelKind?

    @Option(help: "Motion (adaptive model): a pixel moves when it differs by more than this many times its normal variation (default: \(MotionSettings().sensitivity)).")
    var sensitivity: Int?

    @Option(help: "Motion (adaptive model): and by more than this many grey levels in any case (default: \(MotionSettings().minimumDifference)).")
    var minDifference: Int?

    @Option(help: "Motion (adaptive model): how much each on/off flip raises a pixel's threshold (1/256 grey levels; default: \(MotionSettings().flipStep)).")
    var flipStep: Int?

    @Flag(help: "Motion (adaptive model): remove cast shadows on textured ground (can eat smooth objects darker than smooth ground).")
    var shadows = false

    @Option(help: "Seconds allowed to open the input and for each read.")
    var timeout: Double = 10

    @Option(name: .customLong("report"), help: "Write a JSON report (frame counts, time per stage) to this file.")
    var reportPath: String?

    @Option(help: "Write one JSON line per analysed frame to this file.")
    var framesOut: String?

    @Option(help: "Write a PNG foreground mask per analysed frame into this folder.")
    var masksOut: String?

    @Option(help: "Write events (motion start/end per zone) as JSON Lines to this file.")
    var eventsOut: String?

    @Option(help: "Write the confirmed tracks in view per frame (measured, or missed in that frame only), and each track's sightings from before it was confirmed, in MOTChallenge CSV (source pixels) to this file.")
    var tracksOut: String?

    @Option(help: "Write a video of the analysis frames with mask, tracks, zones and line counts drawn (.mp4, .mkv, .avi).")
    var annotate: String?

    @Option(help: "What --annotate draws on: analysis (the grey analysis frames at their size) or source (the source's colour pictures at its size).")
    var annotateSize: AnnotationSize = .analysis

    @Option(help: "Write a PNG of where things moved over the clip, drawn over the first frame.")
    var heatmap: String?

    @Option(help: "Object-class model (default: the camera's classes_model, else Models/classes.json).")
    var classesModel: String?

    @Option(help: "People-count model from `vigil calibrate` (default: the camera's `model`, else perspective only).")
    var crowdModel: String?

    @Option(help: "Append events to this queue folder.")
    var queue: String?

    @Option(help: "Write a video clip of each alarm (pre-roll to after its end, the source's packets copied) into this folder; the camera's clips: settings apply.")
    var clipsOut: String?

    @Flag(help: "Do not show the progress bar.")
    var noProgress = false

    @Flag(help: "Show FFmpeg's own warnings (damaged packets, stream quirks).")
    var verbose = false

    func validate() throws {
        if input == nil && (config == nil || camera == nil) {
            throw ValidationError("give an INPUT file or URL, or --config FILE --camera ID")
        }
        if (config == nil) != (camera == nil) { throw ValidationError("--config and --camera go together") }
        if let width, width < 32 || width > 3840 { throw ValidationError("--width must be between 32 and 3840") }
        if let fps, !(fps > 0) { throw ValidationError("--fps must be above 0") }
        if threads < 0 { throw ValidationError("--threads must not be negative") }
        if !(timeout > 0) { throw ValidationError("--timeout must be above 0") }
        if let sensitivity, sensitivity < 1 || sensitivity > 20 { throw ValidationError("--sensitivity must be between 1 and 20") }
        if let minDifference, minDifference < 1 || minDifference > 128 { throw ValidationError("--min-difference must be between 1 and 128") }
        if ScaleFilter(rawValue: scaleFilter) == nil {
            throw ValidationError("--scale-filter must be one of: \(ScaleFilter.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if ClipAnalysisOptions.Analysis(rawValue: analysis) == nil {
            throw ValidationError("--analysis must be one of: \(ClipAnalysisOptions.Analysis.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        if verbose { MediaLog.setFFmpegLevel(.warnings) }
        var cameraSettings: CameraSettings? = nil
        if let config, let camera {
            let loaded = try loadConfiguration(config)
            guard let found = loaded.camera(camera) else {
                FileHandleOutput.standardError("vigil: \(config): no camera '\(camera)'; configured: \(loaded.cameras.map(\.id).joined(separator: ", "))")
                throw ExitCode(ExitStatus.usage)
            }
            cameraSettings = found
        }
        // The adaptive model's settings would do nothing under another model: say so instead.
        let model = motionModel ?? cameraSettings?.motionModel.flatMap(MotionModelKind.init(rawValue:)) ?? MotionSettings().model
        let adaptiveOnly = [("--sensitivity", sensitivity != nil), ("--min-difference", minDifference != nil),
                            ("--flip-step", flipStep != nil), ("--shadows", shadows)].filter(\.1).map(\.0)
        if model != .adaptive && !adaptiveOnly.isEmpty {
            let what = adaptiveOnly.count == 1 ? "is a setting" : "are settings"
            FileHandleOutput.standardError("vigil: \(adaptiveOnly.joined(separator: ", ")) \(what) of the adaptive motion model, and this run uses \(model.rawValue); add --motion-model adaptive")
            throw ExitCode(ExitStatus.usage)
        }
        let location = SourceLocation(input ?? cameraSettings!.source)
        var options = ClipAnalysisOptions(input: location)
        options.size = AnalysisSize(width: width ?? cameraSettings?.analysis.width ?? 480)
        options.analysisFPS = fps ?? cameraSettings?.analysis.fps
        options.scaleFilter = ScaleFilter(rawValue: scaleFilter)!
        options.analysis = ClipAnalysisOptions.Analysis(rawValue: analysis)!
        options.source.decoderThreads = threads
        options.source.skipNonReferenceFrames = skipNonref
        options.source.openTimeout = timeout
        options.source.readTimeout = timeout
        options.framesOut = framesOut
        options.masksOut = masksOut
        options.camera = cameraSettings
        if let sensitivity { options.motion.sensitivity = sensitivity }
        if let minDifference { options.motion.minimumDifference = minDifference }
        if let flipStep { options.motion.flipStep = flipStep }
        options.motion.suppressShadows = shadows
        options.motionModel = motionModel
        options.eventsOut = eventsOut
        options.queue = queue
        options.clipsOut = clipsOut
        options.tracksOut = tracksOut
        options.annotate = annotate
        options.annotateSize = annotateSize
        options.heatmap = heatmap
        options.crowdModel = try loadCrowdModel(override: crowdModel, camera: cameraSettings).model
        if let (classifier, source) = try loadClassifier(override: classesModel, camera: cameraSettings) {
            options.classifier = classifier
            options.classifierSource = source
        }

        let runner = ClipAnalysis(options: options)
        InterruptSignal.install()
        runner.stopRequested = { InterruptSignal.requested.load(ordering: .relaxed) }
        let bar = ProgressBar(enabled: !noProgress && isatty(STDERR_FILENO) == 1)
        let report: ClipReport
        do {
            report = try runner.run(progress: bar.enabled ? { bar.update($0) } : nil)
        } catch let error as MediaError {
            bar.clear()
            FileHandleOutput.standardError("vigil: \(error)")
            switch error {
            case .writeFailed, .encoderUnavailable: throw ExitCode.failure
            default: throw ExitCode(ExitStatus.badInput)
            }
        } catch {
            bar.clear()
            FileHandleOutput.standardError("vigil: \(error)")
            throw ExitCode.failure
        }
        bar.clear()

        if let reportPath {
            do {
                try report.jsonData().write(to: URL(fileURLWithPath: reportPath), options: .atomic)
            } catch {
                FileHandleOutput.standardError("vigil: \(reportPath): cannot write the report: \(error.localizedDescription)")
                throw ExitCode.failure
            }
        }
        print(Summary.text(report))
        if let reason = report.incompleteReason {
            FileHandleOutput.standardError("vigil: \(location.redacted): input is truncated or damaged: \(reason); analysed the \(report.frames.analysed) frame(s) that could be decoded")
            throw ExitCode(ExitStatus.incompleteInput)
        }
    }
}

enum Summary {
    static func text(_ report: ClipReport) -> String {
        let source = report.source
        let fps = source.fps.map { " \(trimmed($0)) fps" } ?? ""
        var lines = [
            "\(source.location): \(source.container)/\(source.codec) \(source.width)×\(source.height)\(fps)",
            "analysed \(report.frames.analysed) of \(report.frames.decoded) decoded frames at \(report.analysisWidth)×\(report.analysisHeight) in \(trimmed(report.wallSeconds)) s (\(trimmed(report.framesPerSecond)) frames/s)",
        ]
        let stages = report.stageMillisecondsPerFrame.sorted { $0.key < $1.key }.map { "\($0.key) \(trimmed($0.value))" }
        lines.append("ms per frame: " + stages.joined(separator: ", ") + "; open \(trimmed(report.openMilliseconds)) ms once")
        if let motion = report.meanMotion { lines.append("mean motion: \(trimmed(motion * 100))% of the frame") }
        if let tracks = report.tracks { lines.append("tracks: \(tracks) confirmed (classes from \(report.classifier ?? "built-in defaults"))") }
        if let counts = report.lineCounts, !counts.isEmpty {
            lines.append("line crossings: " + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if let clips = report.clips {
            lines.append("clips: \(clips) written" + ((report.clipsFailed ?? 0) > 0 ? ", \(report.clipsFailed!) given up" : ""))
        }
        if !report.events.isEmpty {
            lines.append("events: " + report.events.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    static func trimmed(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}

/// SIGINT finishes the current frame and writes every output, instead of losing them.
enum InterruptSignal {
    /// The handler only stores here (an atomic store is async-signal-safe); the analysis
    /// loop reads it between frames.
    static let requested = Atomic<Bool>(false)

    static func install() {
        // Touch the flag first: its lazy initialisation must not run inside the handler.
        requested.store(false, ordering: .relaxed)
        signal(SIGINT) { _ in
            InterruptSignal.requested.store(true, ordering: .relaxed)
            // A second Ctrl-C kills at once.
            signal(SIGINT, SIG_DFL)
        }
    }
}

extension MotionModelKind: ExpressibleByArgument {}
extension AnnotationSize: ExpressibleByArgument {}
