import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// Runs a `CameraWorker` as a service: its blocking loop on a thread of its own, stopped
/// gracefully (finish the frame, flush the queue) when the group shuts down.
struct CameraWorkerService: Service {
    let worker: CameraWorker

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                let thread = Thread {
                    do {
                        try worker.run()
                        continuation.resume()
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                thread.name = "vigil-analysis"
                thread.start()
            }
        } onGracefulShutdown: {
            worker.stop()
        }
    }
}

/// The worker process: the camera worker plus, unless switched off, an HTTP server with
/// Prometheus metrics and a health check; SIGTERM and SIGINT shut both down gracefully.
public enum WorkerProcess {
    /// Installs the Prometheus backend for swift-metrics; once per process.
    public static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Per-frame stages take microseconds to milliseconds; the defaults start at 5 ms.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }

    public static func run(worker: CameraWorker, registry: PrometheusCollectorRegistry, host: String, port: Int, logger: Logger) async throws {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            // When the worker ends (a file without --loop) the whole process ends.
            .init(service: CameraWorkerService(worker: worker), successTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if port > 0 {
            services.append(.init(service: MetricsHTTP.application(registry: registry, host: host, port: port, logger: logger,
                                                                    unhealthy: "no frames\n") { worker.isHealthy() }))
            worker.metricsAddress = "http://\(host):\(port)"
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Prometheus metrics at /metrics and a health check at /healthz, for any long-running process.
public enum MetricsHTTP {
    public static func application(registry: PrometheusCollectorRegistry, host: String, port: Int, logger: Logger,
                                   unhealthy: String, healthy: @escaping @Sendable () -> Bool) -> some Service {
        let router = Router()
        router.get("metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: registry.emitToString())))
        }
        router.get("healthz") { _, _ -> Response in
            let isHealthy = healthy()
            return Response(status: isHealthy ? .ok : .serviceUnavailable,
                            body: .init(byteBuffer: ByteBuffer(string: isHealthy ? "ok\n" : unhealthy)))
        }
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .warning)
        return Application(router: router, server: HTTPServerLimits().server,
                           configuration: .init(address: .hostname(host, port: port), serverName: "vigil"),
                           logger: serverLogger)
    }
}
