import Hummingbird
import Logging
import ServiceLifecycle
import VigilService

/// The console as a process: the HTTP server, the queue's indexer and the zone sampler,
/// shut down together on SIGTERM or SIGINT.
public enum ConsoleProcess {
    struct Background: Service {
        let server: ConsoleServer
        func run() async throws {
            // Both loops end when cancelled, which graceful shutdown does.
            try await cancelWhenGracefulShutdown {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await server.feeder.run() }
                    group.addTask {
                        // The first sample once the workers have written their first state.
                        try? await Task.sleep(for: .seconds(10))
                        while !Task.isCancelled {
                            do { try server.sampleZones() } catch { server.logger.warning("cannot sample the zones: \(error)") }
                            try? await Task.sleep(for: .seconds(60))
                        }
                    }
                    await group.waitForAll()
                }
            }
            server.broadcaster.finishAll()
        }
    }

    public static func run(server: ConsoleServer, logger: Logger, onListening: (@Sendable (Int) async -> Void)? = nil) async throws {
        let settings = server.options.settings
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .warning)
        var limits = HTTPServerLimits()
        // Live streams stay open for hours; the pings every 15 s keep them from looking idle.
        limits.idleTimeout = .seconds(60)
        let application = Application(router: server.router(), server: limits.server,
                                      configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "vigil-console"),
                                      onServerRunning: { channel in
                                          let port = channel.localAddress?.port ?? settings.port
                                          logger.notice("console listening", metadata: ["url": "http://\(settings.host):\(port)/"])
                                          await onListening?(port)
                                      },
                                      logger: serverLogger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: application), .init(service: Background(server: server))],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
