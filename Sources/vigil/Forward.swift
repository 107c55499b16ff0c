import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import VigilConfig
import VigilForward
import VigilService

struct Forward: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy every event of this host's queue into PostgreSQL, exactly once, until stopped.",
        discussion: """
        Reads the queue as the consumer group `forward` and stores each event in vigil_events, keyed \
        by (site, queue, offset): a batch sent again after a crash inserts nothing twice. The group \
        commits only after the database has. While the database is down it retries with back-off and \
        the queue's retention keeps every event not yet stored. Settings: the config's forward: section \
        and PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD. `vigil run` starts it when forward: is there. \
        SIGTERM or SIGINT: finishes the batch in hand and exits 0.
        """
    )

    @Option(help: "Configuration file.")
    var config: String

    @Option(help: "This host's name in a fleet sharing one config: the site events are stored under, and whose cameras' state is sent.")
    var host: String?

    @Flag(help: "Exit 0 once the table holds everything in the queue (for scripts and tests).")
    var untilCaughtUp = false

    @Option(help: "Override forward.method: copy or unnest.")
    var method: ForwardSettings.Method?

    @Option(help: "Override forward.batch (events per transaction).")
    var batch: Int?

    @Option(help: "Log format: human or json (default: service.log.format).")
    var logFormat: String?

    func validate() throws {
        if let host, !ForwardSettings.isSiteName(host) { throw ValidationError("--host uses letters, digits, '-', '_' or '.'") }
        if let batch, !(1...50_000).contains(batch) { throw ValidationError("--batch must be 1 to 50000") }
        if let logFormat, ServiceSettings.LogFormat(rawValue: logFormat) == nil { throw ValidationError("--log-format takes human or json") }
    }

    func run() throws {
        let configuration = try loadConfiguration(config)
        guard let queue = configuration.queue else {
            FileHandleOutput.standardError("vigil forward: \(config) has no queue.path; there is nothing to forward")
            throw ExitCode(ExitStatus.usage)
        }
        let settings = configuration.forward ?? ForwardSettings()
        let endpoint: PostgresEndpoint
        do { endpoint = try PostgresEndpoint(settings: settings) } catch {
            FileHandleOutput.standardError("vigil forward: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
        var options = ForwarderOptions(queueDirectory: queue.path, endpoint: endpoint, site: configuration.site(host: host))
        options.batch = batch ?? settings.batch
        options.method = method ?? settings.method
        options.stateDirectory = configuration.service.stateDirectory
        options.cameras = configuration.cameras(forHost: host).map(\.id)
        options.cameraStateSeconds = settings.cameraStateSeconds
        options.untilCaughtUp = untilCaughtUp

        let format = logFormat.flatMap(ServiceSettings.LogFormat.init(rawValue:)) ?? configuration.service.logFormat
        let level = VigilLogHandler.level(named: configuration.service.logLevel)
        LoggingSystem.bootstrap { label in VigilLogHandler(label: label, format: format, level: level) }
        var logger = Logger(label: "vigil.forward")
        logger[metadataKey: "site"] = "\(options.site)"
        let registry = WorkerProcess.bootstrapMetrics()
        let forwarder = Forwarder(options: options, logger: logger)
        let host = configuration.service.metricsHost, port = settings.metricsPort, serviceLogger = logger
        if let failure = runBlocking({ try await ForwarderProcess.run(forwarder: forwarder, registry: registry, host: host, port: port, logger: serviceLogger) }) {
            logger.critical("forwarder failed: \(failure)")
            throw ExitCode.failure
        }
    }
}

extension ForwardSettings.Method: ExpressibleByArgument {}
