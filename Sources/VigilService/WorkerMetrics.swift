import Metrics

/// A worker's metrics through swift-metrics; the process picks the backend
/// (Prometheus in `vigil worker`). Every metric carries the camera id, never the source URL.
struct WorkerMetrics {
    let framesDecoded: Counter
    let framesAnalysed: Counter
    let framesDropped: Counter
    let decodeErrors: Counter
    let reconnects: Counter
    let sourceUp: Gauge
    let decodeTime: Metrics.Timer
    let analysisTime: Metrics.Timer
    let eventLatency: Metrics.Timer
    private let camera: String
    private var eventCounters: [String: Counter] = [:]

    init(camera: String) {
        self.camera = camera
        let dimensions = [("camera", camera)]
        framesDecoded = Counter(label: "vigil_frames_decoded_total", dimensions: dimensions)
        framesAnalysed = Counter(label: "vigil_frames_analysed_total", dimensions: dimensions)
        framesDropped = Counter(label: "vigil_frames_dropped_total", dimensions: dimensions)
        decodeErrors = Counter(label: "vigil_decode_errors_total", dimensions: dimensions)
        reconnects = Counter(label: "vigil_reconnects_total", dimensions: dimensions)
        sourceUp = Gauge(label: "vigil_source_up", dimensions: dimensions)
        decodeTime = Metrics.Timer(label: "vigil_decode_seconds", dimensions: dimensions)
        analysisTime = Metrics.Timer(label: "vigil_analysis_seconds", dimensions: dimensions)
        eventLatency = Metrics.Timer(label: "vigil_event_latency_seconds", dimensions: dimensions)
    }

    mutating func countEvent(_ type: String) {
        if eventCounters[type] == nil {
            eventCounters[type] = Counter(label: "vigil_events_total", dimensions: [("camera", camera), ("type", type)])
        }
        eventCounters[type]!.increment()
    }
}
