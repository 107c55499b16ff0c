import Logging
import Prometheus
import ServiceLifecycle
import VigilService

/// The forwarder as a service: stopped between batches on SIGTERM or SIGINT.
struct ForwarderService: Service {
    let forwarder: Forwarder

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await forwarder.run()
        } onGracefulShutdown: {
            forwarder.stop()
        }
    }
}

/// The `vigil forward` process: the forwarder and, when a port is set, its metrics
/// (`vigil_forward_lag` among them) and a health check that fails while the store is unreachable.
public enum ForwarderProcess {
    public static func run(forwarder: Forwarder, registry: PrometheusCollectorRegistry, host: String, port: Int, logger: Logger) async throws {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: ForwarderService(forwarder: forwarder), successTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if port > 0 {
            services.append(.init(service: MetricsHTTP.application(registry: registry, host: host, port: port, logger: logger,
                                                                   unhealthy: "database unreachable\n") { forwarder.currentStatus.connected }))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
