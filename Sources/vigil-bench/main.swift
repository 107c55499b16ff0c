// Micro-benchmarks that need Vigil's modules in-process. Run in release through the
// scripts in bench/, which take medians over several runs.
import FoundationEssentials
import VigilAnalytics
import VigilEvents
import VigilSynth
import VigilVision
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

func temporaryDirectory(_ base: String) -> String {
    let path = "\(base)/vigil-bench-\(getpid())-\(Int(now() * 1000))"
    mkdir(path, 0o755)
    return path
}

func sampleEvent(_ index: Int) -> Event {
    Event(type: .lineCrossing, camera: "citadel-gate", frame: index, pts: Double(index) / 25, line: "gate-in",
          direction: "in", track: index % 97, objectClass: .vehicle, bbox: [0.31, 0.52, 0.08, 0.06],
          data: ["speed_kmh": .double(31.5)])
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
}

/// queue BASE: appends/s with fsync per record, appends/s with group commit, and the
/// latency from an append being called to a polling reader (as `vigil queue tail --follow`) seeing it.
func queueBenchmark(base: String) throws {
    // 1. fsync per record: one event per append, each durable before the next.
    var directory = temporaryDirectory(base)
    var writer = try QueueWriter(directory: directory, log: { _ in })
    var count = 2000
    var start = now()
    for index in 0..<count { try writer.append([sampleEvent(index)]) }
    let perRecord = Double(count) / (now() - start)

    // 2. Group commit: batches of 100 with fsync every 0.2 s at most, plus a final sync.
    directory = temporaryDirectory(base)
    var options = QueueOptions()
    options.fsync = .interval(seconds: 0.2)
    writer = try QueueWriter(directory: directory, options: options, log: { _ in })
    count = 200_000
    let batch = (0..<100).map(sampleEvent)
    start = now()
    for _ in 0..<(count / 100) { try writer.append(batch) }
    try writer.sync()
    let grouped = Double(count) / (now() - start)

    // 3. Tail latency: a writer appends (fsync always) every 5 ms; a reader polls the way
    // `vigil queue tail --follow` does (2 ms, backing off to 50 ms when idle).
    directory = temporaryDirectory(base)
    writer = try QueueWriter(directory: directory, log: { _ in })
    let reader = try QueueReader(directory: directory)
    nonisolated(unsafe) var appendedAt: [Double] = Array(repeating: 0, count: 500)
    let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    pthread_mutex_init(lock, nil)
    let writerDirectory = directory
    var thread = pthread_t()
    final class Box: @unchecked Sendable { let directory: String; init(_ d: String) { directory = d } }
    let box = Unmanaged.passRetained(Box(writerDirectory)).toOpaque()
    latencyAppendedAt = { index, time in pthread_mutex_lock(lock); appendedAt[index] = time; pthread_mutex_unlock(lock) }
    pthread_create(&thread, nil, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        let writer = try! QueueWriter(directory: box.directory, log: { _ in })
        for index in 0..<500 {
            usleep(5_000)
            latencyAppendedAt(index, now())
            _ = try! writer.append([sampleEvent(index)])
        }
        return nil
    }, box)
    var latencies: [Double] = []
    var idle = 0.002
    while latencies.count < 500 {
        if let record = try reader.next() {
            let seen = now()
            pthread_mutex_lock(lock)
            let appended = appendedAt[Int(record.offset)]
            pthread_mutex_unlock(lock)
            // From the moment append was called (fsync included) to the reader holding the record.
            latencies.append(seen - appended)
            idle = 0.002
        } else {
            usleep(UInt32(idle * 1_000_000))
            idle = min(idle * 2, 0.05)
        }
    }
    pthread_join(thread, nil)
    let result = """
    {"appends_per_second_fsync_each": \(Int(perRecord)), "appends_per_second_group_commit": \(Int(grouped)), \
    "tail_latency_ms_median": \(percentile(latencies, 0.5) * 1000), "tail_latency_ms_p99": \(percentile(latencies, 0.99) * 1000)}
    """
    print(result)
    _ = system("rm -rf '\(base)'/vigil-bench-\(getpid())-*")
}

/// motion [FRAMES] [MODEL]: F-measure of the motion mask against synthetic ground truth, per
/// scene, and time per frame of the motion step (the default model unless MODEL is given).
/// Frames are rendered (no codec) at 480×270.
func motionBenchmark(frames: Int, model: MotionModelKind) {
    for preset in ScenePreset.allCases {
        let spec = SceneSpec.preset(preset, width: 480, height: 270, frameCount: frames, seed: 21)
        let renderer = SceneRenderer(spec: spec)
        var detector = model.make(tunedSettings())
        var image = GrayImage(width: 480, height: 270), truth = GrayImage(width: 480, height: 270)
        var tp = 0, fp = 0, fn = 0, seconds = 0.0, falseFrames = 0
        for index in 0..<frames {
            _ = renderer.render(frame: index, into: &image, mask: &truth)
            let start = now()
            let observation = detector.analyze(image)
            seconds += now() - start
            guard index >= 30, let mask = detector.lastMask else { continue }
            for i in 0..<mask.pixels.count {
                let predicted = mask.pixels[i] != 0, actual = truth.pixels[i] != 0
                if predicted && actual { tp += 1 } else if predicted { fp += 1 } else if actual { fn += 1 }
            }
            if truth.pixels.allSatisfy({ $0 == 0 }) && (observation.motionFraction ?? 0) > 0.001 { falseFrames += 1 }
        }
        let precision = Double(tp) / Double(max(1, tp + fp)), recall = Double(tp) / Double(max(1, tp + fn))
        let f = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : (tp + fp + fn == 0 ? 1 : 0)
        print("{\"scene\": \"\(preset.rawValue)\", \"f_measure\": \(f), \"precision\": \(precision), \"recall\": \(recall), \"false_positive_pixels\": \(fp), \"frames_with_false_motion\": \(falseFrames), \"ms_per_frame\": \(seconds * 1000 / Double(frames))}")
    }
}

/// Settings from VIGIL_MOTION="sensitivity,minimumDifference,minimumBlobPixels", for tuning runs.
func tunedSettings() -> MotionDetector.Settings {
    var settings = MotionDetector.Settings()
    if let text = getenv("VIGIL_MOTION").map({ String(cString: $0) }) {
        let values = text.split(separator: ",").compactMap { Int($0) }
        if values.count == 3 { settings.sensitivity = values[0]; settings.minimumDifference = values[1]; settings.minimumBlobPixels = values[2] }
    }
    return settings
}

/// motion-steady N: runs the motion step over N frames (pre-rendered, cycled), so that
/// `valgrind` can count heap allocations for two values of N: the difference divided by
/// the difference in N is the allocations per frame in steady state.
func motionSteadyState(frames: Int, model: MotionModelKind) {
    let spec = SceneSpec.preset(.mixed, width: 480, height: 270, frameCount: 40, seed: 21)
    let renderer = SceneRenderer(spec: spec)
    let images = (0..<40).map { renderer.render(frame: $0).image }
    var detector = model.make(MotionSettings())
    var total = 0.0
    for index in 0..<frames { total += detector.analyze(images[index % 40]).motionFraction ?? 0 }
    print("frames \(frames), mean motion \(total / Double(max(1, frames)))")
}

/// tracking N: cost of the tracker and the track rules (two lines, two zones with
/// intrusion and loitering) per frame with N objects moving across a 480×270 frame,
/// fed as blobs (the motion step's output) with the frame and mask they came from (each
/// object two greys, so appearance is measured), so only tracking and rules are timed.
/// Prints one JSON line: median ms per frame over 5 runs of 1,000 frames.
func trackingBenchmark(objects: Int, appearance: Bool) {
    let width = 480, height = 270
    var random = SeededRandom(seed: 11)
    // Objects on straight paths at their own speeds, wrapping around the frame.
    let starts = (0..<objects).map { _ in (x: random.uniform(0, 480), y: random.uniform(40, 250), vx: random.uniform(-4, 4), vy: random.uniform(-1, 1),
                                           upper: UInt8(random.uniform(20, 230)), lower: UInt8(random.uniform(20, 230))) }
    var image = GrayImage(width: width, height: height), mask = GrayImage(width: width, height: height)
    let line = { (id: String, x: Double) in
        TrackRules.Line(definition: .init(id: id, segment: LineSegment(from: Point(x: x, y: 0.05), to: Point(x: x, y: 0.95))), flowInterval: 10)
    }
    let square = { (x: Double) in Polygon([Point(x: x, y: 0.2), Point(x: x + 0.3, y: 0.2), Point(x: x + 0.3, y: 0.9), Point(x: x, y: 0.9)]) }
    var runs: [Double] = []
    var crossings = 0
    for _ in 0..<5 {
        var tracker = Tracker()
        var rules = TrackRules(camera: "bench", lines: [line("a", 0.33), line("b", 0.66)],
                               zones: [TrackRules.Zone(id: "z1", polygon: square(0.1), intrusionClasses: [.person, .vehicle, .unknown], loiteringSeconds: 5),
                                       TrackRules.Zone(id: "z2", polygon: square(0.6), intrusionClasses: [.person], loiteringSeconds: 5)])
        var blobs: [Blob] = []
        blobs.reserveCapacity(objects)
        var elapsed = 0.0
        for frame in 0..<1000 {
            blobs.removeAll(keepingCapacity: true)
            for index in image.pixels.indices { image.pixels[index] = 128; mask.pixels[index] = 0 }
            for start in starts {
                var x = (start.x + start.vx * Double(frame)).truncatingRemainder(dividingBy: Double(width))
                if x < 0 { x += Double(width) }
                let y = min(250, max(20, start.y + start.vy * Double(frame % 100)))
                let box = Box(x: x, y: y - 30, width: 12, height: 30)
                blobs.append(Blob(box: box, area: 300, centroid: Point(x: x + 6, y: y - 15)))
                for row in max(0, Int(box.y))..<min(height, Int(box.y + box.height)) {
                    for column in Int(box.x)..<min(width, Int(box.x + box.width)) {
                        image.pixels[row * width + column] = row < Int(box.y) + 15 ? start.upper : start.lower
                        mask.pixels[row * width + column] = 255
                    }
                }
            }
            let began = now()
            if appearance {
                tracker.update(blobs: blobs, pts: Double(frame) / 25, frameWidth: width, frameHeight: height, image: image, mask: mask)
            } else {
                tracker.update(blobs: blobs, pts: Double(frame) / 25, frameWidth: width, frameHeight: height)
            }
            let events = rules.observe(tracks: tracker.tracks, frame: frame, pts: Double(frame) / 25, frameWidth: width, frameHeight: height)
            elapsed += now() - began
            crossings += events.count
        }
        runs.append(elapsed * 1000 / 1000)
    }
    runs.sort()
    print("{\"objects\": \(objects), \"ms_per_frame\": \(runs[runs.count / 2]), \"events\": \(crossings / 5)}")
}

/// crowd: time per frame of the crowd estimator (whole frame and one zone) against the
/// motion step it follows, on the synthetic crowd scene at 480×270; medians of 5 runs.
/// `features`: `all`, every feature measured, edges included (what calibration pays);
/// `sizes`, what a model of `texture` and `sizes` measures (the Mall's calibration);
/// otherwise only what the default model uses.
func crowdBenchmark(frames: Int, features: String) {
    let spec = SceneSpec.preset(.crowd, width: 480, height: 270, framesPerSecond: 10, frameCount: frames, seed: 5)
    let renderer = SceneRenderer(spec: spec)
    var images: [GrayImage] = []
    var image = GrayImage(width: 480, height: 270), truth = GrayImage(width: 480, height: 270)
    for index in 0..<frames {
        _ = renderer.render(frame: index, into: &image, mask: &truth)
        images.append(image)
    }
    let zone = ZoneMask(polygons: [Polygon([Point(x: 0, y: 0.4), Point(x: 1, y: 0.4), Point(x: 1, y: 1), Point(x: 0, y: 1)])], width: 480, height: 270)
    var motionRuns: [Double] = [], crowdRuns: [Double] = []
    var people = 0.0
    for _ in 0..<5 {
        var settings = MotionDetector.Settings()
        settings.perspective = SceneSpec.crowdPerspective
        var detector = MotionDetector(settings: settings)
        let model = features == "sizes"
            ? CrowdModel(features: [.texture, .sizes], coefficients: Array(repeating: 0.1, count: 1 + CrowdFeature.sizes.columns), intercept: 0)
            : .perspectiveOnly
        var estimator = CrowdEstimator(model: model, perspective: SceneSpec.crowdPerspective)
        estimator.measuresAllFeatures = features == "all"
        var motionSeconds = 0.0, crowdSeconds = 0.0
        for frame in images {
            let start = now()
            _ = detector.analyze(frame)
            let middle = now()
            if let mask = detector.lastMask { people += estimator.estimate(mask: mask, image: frame, blobs: detector.blobs, zones: [zone])[0] }
            crowdSeconds += now() - middle
            motionSeconds += middle - start
        }
        motionRuns.append(motionSeconds * 1000 / Double(frames))
        crowdRuns.append(crowdSeconds * 1000 / Double(frames))
    }
    motionRuns.sort(); crowdRuns.sort()
    print("{\"frames\": \(frames), \"motion_ms_per_frame\": \(motionRuns[2]), \"crowd_ms_per_frame\": \(crowdRuns[2]), \"ratio\": \(crowdRuns[2] / motionRuns[2]), \"mean_people\": \(people / Double(5 * frames))}")
}

nonisolated(unsafe) var latencyAppendedAt: (Int, Double) -> Void = { _, _ in }

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileOutput.standardError("usage: vigil-bench queue [FOLDER]")
    exit(2)
}
switch arguments[1] {
case "queue":
    try queueBenchmark(base: arguments.count > 2 ? arguments[2] : "/tmp")
case "motion-steady":
    motionSteadyState(frames: arguments.count > 2 ? Int(arguments[2]) ?? 100 : 100,
                      model: arguments.count > 3 ? MotionModelKind(rawValue: arguments[3]) ?? MotionSettings().model : MotionSettings().model)
case "tracking":
    // tracking [N] [plain]: plain leaves appearance out (the frame and mask are not given)
    trackingBenchmark(objects: arguments.count > 2 ? Int(arguments[2]) ?? 10 : 10, appearance: !(arguments.count > 3 && arguments[3] == "plain"))
case "crowd":
    // crowd [FRAMES] [all|sizes|default]
    crowdBenchmark(frames: arguments.count > 2 ? Int(arguments[2]) ?? 400 : 400, features: arguments.count > 3 ? arguments[3] : "all")
case "motion-datasets":
    // motion-datasets DIR [MODEL] [RUNS] [SEQUENCE]
    guard arguments.count > 2 else { FileOutput.standardError("usage: vigil-bench motion-datasets DIR [MODEL] [RUNS] [SEQUENCE]"); exit(2) }
    let model = arguments.count > 3 ? MotionModelKind(rawValue: arguments[3]) : .consensus
    guard let model else { FileOutput.standardError("unknown model \(arguments[3])"); exit(2) }
    try motionDatasetsBenchmark(directory: arguments[2], model: model, runs: arguments.count > 4 ? Int(arguments[4]) ?? 3 : 3,
                                only: arguments.count > 5 ? arguments[5] : nil)
case "crowd-fit":
    guard arguments.count > 4, let from = Int(arguments[3]), let to = Int(arguments[4]) else {
        FileOutput.standardError("usage: vigil-bench crowd-fit MEASUREMENTS FROM TO"); exit(2)
    }
    try crowdFitBenchmark(path: arguments[2], from: from, to: to)
case "motion":
    motionBenchmark(frames: arguments.count > 2 ? Int(arguments[2]) ?? 250 : 250,
                    model: arguments.count > 3 ? MotionModelKind(rawValue: arguments[3]) ?? MotionSettings().model : MotionSettings().model)
default:
    FileOutput.standardError("unknown benchmark \(arguments[1])")
    exit(2)
}
