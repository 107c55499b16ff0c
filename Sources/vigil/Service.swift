import ArgumentParser
import Dispatch
import Foundation
import Logging
import VigilConfig
import VigilConsole
import VigilEvents
import VigilForward
import VigilMedia
import VigilPipeline
import VigilService

/// Logging for the long-running commands, in the format the config asks for; once per process.
private func bootstrapLogging(_ service: ServiceSettings, format: ServiceSettings.LogFormat?, label: String) -> Logger {
    let chosen = format ?? service.logFormat
    let level = VigilLogHandler.level(named: service.logLevel)
    LoggingSystem.bootstrap { label in VigilLogHandler(label: label, format: chosen, level: level) }
    return Logger(label: label)
}

/// How a queue configured in the YAML file is written.
func queueOptions(_ settings: QueueSettings) -> QueueOptions {
    var options = QueueOptions()
    if settings.fsync == .interval { options.fsync = .interval(seconds: 0.2) }
    options.segmentBytes = settings.segmentMiB << 20
    options.retentionSeconds = settings.retainHours.map { $0 * 3600 }
    options.retentionBytes = settings.retainGiB.map { Int($0 * Double(1 << 30)) }
    return options
}

struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one camera: read its live source, analyse it, append its events to the queue.",
        discussion: """
        Reconnects with back-off when the source fails and raises camera_offline / camera_online. \
        Serves Prometheus metrics at /metrics and a health check at /healthz (healthy while frames arrive). \
        SIGTERM or SIGINT: finishes the frame in hand, flushes the queue and exits 0.
        """
    )

    @Option(help: "Configuration file.")
    var config: String

    @Option(help: "Id of the camera to run.")
    var camera: String

    @Flag(help: "Read a file source at its own frame rate, like a camera.")
    var realtime = false

    @Flag(help: "Start a file source again at its end, like a camera that never stops.")
    var loop = false

    @Option(help: "Metrics port (0: no HTTP server). Default: service.metrics.port + the camera's position, or its metrics_port.")
    var metricsPort: Int?

    @Option(help: "Log format: human or json (default: service.log.format).")
    var logFormat: String?

    @Option(help: "Frames buffered between decode and analysis before the oldest is dropped (default: a second's worth, at least 4).")
    var buffer: Int?

    @Flag(help: "Ask the decoder to skip frames nothing refers to (cheaper at low analysis rates).")
    var skipNonReference = false

    @Option(help: "This host's name in a fleet sharing one config: stamped on every event as its site.")
    var host: String?

    func validate() throws {
        if let host, !ForwardSettings.isSiteName(host) { throw ValidationError("--host uses letters, digits, '-', '_' or '.'") }
        if let logFormat, ServiceSettings.LogFormat(rawValue: logFormat) == nil { throw ValidationError("--log-format takes human or json") }
        if let metricsPort, !(0...65535).contains(metricsPort) { throw ValidationError("--metrics-port must be 0 to 65535") }
        if let buffer, buffer < 1 || buffer > 250 { throw ValidationError("--buffer must be 1 to 250") }
    }

    func run() throws {
        let configuration = try loadConfiguration(config)
        guard let index = configuration.cameras.firstIndex(where: { $0.id == camera }) else {
            FileHandleOutput.standardError("vigil: \(config) has no camera '\(camera)' (it has: \(configuration.cameras.map(\.id).joined(separator: ", ")))")
            throw ExitCode(ExitStatus.usage)
        }
        guard let queue = configuration.queue else {
            FileHandleOutput.standardError("vigil: \(config) has no queue.path; a worker needs a queue for its events")
            throw ExitCode(ExitStatus.usage)
        }
        let cameraSettings = configuration.cameras[index]
        var options = WorkerOptions(camera: cameraSettings, queueDirectory: queue.path)
        options.queueOptions = queueOptions(queue)
        options.service = configuration.service
        options.stateDirectory = configuration.service.stateDirectory
        options.realtime = realtime
        options.loop = loop
        options.bufferFrames = buffer
        options.skipNonReferenceFrames = skipNonReference
        options.site = configuration.eventSite(host: host, camera: cameraSettings)
        if let (classifier, _) = try loadClassifier(override: nil, camera: cameraSettings) { options.classifier = classifier }
        options.crowdModel = try loadCrowdModel(override: nil, camera: cameraSettings).model

        var logger = bootstrapLogging(configuration.service, format: logFormat.flatMap(ServiceSettings.LogFormat.init(rawValue:)), label: "vigil.worker")
        logger[metadataKey: "camera"] = "\(camera)"
        let registry = WorkerProcess.bootstrapMetrics()
        let worker = CameraWorker(options: options, logger: logger)
        let port = metricsPort ?? configuration.metricsPort(forCameraAt: index)
        let host = configuration.service.metricsHost

        // A changed config (or SIGHUP) reaches the running worker without a restart.
        let cameraID = camera, watcherLogger = logger
        let watcher = ConfigWatcher(path: config, logger: logger) { changed in
            guard let settings = changed.camera(cameraID) else {
                watcherLogger.warning("this camera is no longer in the configuration; it runs on until stopped")
                return
            }
            worker.reload(settings)
        }
        watcher.start()
        defer { watcher.stop() }
        let serviceLogger = logger
        if let failure = runBlocking({ try await WorkerProcess.run(worker: worker, registry: registry, host: host, port: port, logger: serviceLogger) }) {
            logger.critical("worker failed: \(failure)")
            throw ExitCode.failure
        }
    }
}

/// Runs async services from ArgumentParser's synchronous `run()`, on Swift's concurrency
/// pool, and returns what they threw.
func runBlocking(_ body: @escaping @Sendable () async throws -> Void) -> Error? {
    let finished = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var failure: Error?
    Task {
        do { try await body() } catch { failure = error }
        finished.signal()
    }
    finished.wait()
    return failure
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a configuration file without running it.",
        discussion: "Checks the schema, every camera's model files, the queue folder and the metrics ports. Exit 0 if usable, 2 if not."
    )

    @Option(help: "Configuration file.")
    var config: String

    @Flag(help: "Also open every camera's source once (waits up to service.read_timeout per camera).")
    var probe = false

    func run() throws {
        let configuration = try loadConfiguration(config)
        var problems: [String] = []
        for camera in configuration.cameras {
            do { _ = try loadClassifierQuietly(camera: camera) } catch { problems.append("cameras \(camera.id): \(error)") }
        }
        if let queue = configuration.queue {
            if let problem = Self.writableFolderProblem(queue.path) { problems.append("queue.path \(queue.path): \(problem)") }
        } else {
            problems.append("queue: missing; workers need a queue.path for their events")
        }
        if let forward = configuration.forward {
            // The URL and the password file, without connecting (the database may be down now).
            do { _ = try PostgresEndpoint(settings: forward) } catch { problems.append("\(error)") }
        }
        var ports: [Int: String] = [:]
        for (index, camera) in configuration.cameras.enumerated() {
            let port = configuration.metricsPort(forCameraAt: index)
            guard port > 0 else { continue }
            if let other = ports[port] { problems.append("cameras \(camera.id): metrics port \(port) is also used by camera \(other)") }
            ports[port] = camera.id
        }
        if let console = configuration.console {
            do { _ = try ConsoleOptions(configuration: configuration) } catch { problems.append("console: \(error)") }
            if let camera = ports[console.port] { problems.append("console.port \(console.port) is also camera \(camera)'s metrics port") }
        }
        if probe {
            for camera in configuration.cameras {
                var options = SourceOptions()
                options.openTimeout = configuration.service.readTimeout
                options.readTimeout = configuration.service.readTimeout
                let location = SourceLocation(camera.source)
                do {
                    let source = try VideoSource(location, options: options)
                    print("camera \(camera.id): \(location.redacted): \(source.info.codecName) \(source.info.width)x\(source.info.height)")
                } catch {
                    problems.append("cameras \(camera.id): \(error)")
                }
            }
        }
        if !problems.isEmpty {
            FileHandleOutput.standardError((["vigil: \(config): \(problems.count) problem(s)"] + problems.map { "  " + $0 }).joined(separator: "\n"))
            throw ExitCode(ExitStatus.usage)
        }
        print("\(config): ok, \(configuration.cameras.count) camera(s): \(configuration.cameras.map(\.id).joined(separator: ", ")); queue \(configuration.queue!.path)")
    }

    private func loadClassifierQuietly(camera: CameraSettings) throws {
        if let path = camera.classesModel { _ = try ModelFiles.classifier(at: path) }
        if let path = camera.model { _ = try ModelFiles.crowdModel(at: path) }
    }

    /// Why events could not be written under `path`, or nil if they can.
    static func writableFolderProblem(_ path: String) -> String? {
        var folder = path
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
            guard let slash = folder.dropLast().lastIndex(of: "/") else { folder = "."; break }
            folder = slash == folder.startIndex ? "/" : String(folder[..<slash])
        }
        FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory)
        if !isDirectory.boolValue { return "\(folder) is not a folder" }
        if access(folder, W_OK) != 0 { return "\(folder) is not writable" }
        return nil
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the state of each camera's worker.")

    @Option(help: "Configuration file.")
    var config: String

    @Flag(help: "One JSON object per camera instead of a table.")
    var json = false

    @Flag(help: "Every host's cameras, as the PostgreSQL store last heard of them (needs forward:).")
    var allHosts = false

    func run() throws {
        let configuration = try loadConfiguration(config)
        if allHosts { return try showAllHosts(configuration) }
        let directory = configuration.service.stateDirectory
        let supervisor = FleetSupervisor.readStatus(stateDirectory: directory) ?? []
        if !json { print("camera".padding(16) + "state".padding(14) + "frames".padding(10) + "dropped".padding(9) + "reconnects".padding(12) + "last frame".padding(12) + "restarts  config    source") }
        for camera in configuration.cameras {
            let (state, status) = WorkerStatusFile.displayState(camera: camera.id, directory: directory)
            let member = supervisor.first { $0.camera == camera.id }
            if json {
                var object: [String: Any] = ["camera": camera.id, "state": state, "source": SourceLocation(camera.source).redacted]
                if let status {
                    object["frames_analysed"] = status.framesAnalysed
                    object["frames_dropped"] = status.framesDropped
                    object["reconnects"] = status.reconnects
                    object["outages"] = status.outages
                    object["events"] = status.eventsAppended
                    if let age = status.lastFrameAge { object["last_frame_age"] = age }
                    if let error = status.lastError { object["last_error"] = error }
                    if let version = status.configVersion { object["config_version"] = version }
                }
                if let member { object["restarts"] = member.restarts }
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                let age = status?.lastFrameAge.map { "\($0) s ago" } ?? "-"
                print(camera.id.padding(16) + state.padding(14) + "\(status?.framesAnalysed ?? 0)".padding(10) + "\(status?.framesDropped ?? 0)".padding(9)
                      + "\(status?.reconnects ?? 0)".padding(12) + age.padding(12) + "\(member?.restarts ?? 0)".padding(10)
                      + (status?.configVersion ?? "-").padding(10) + SourceLocation(camera.source).redacted)
            }
        }
        showForwarder(directory: directory)
    }

    /// The forwarder's line: connected or not, how far behind, where to (never the password).
    private func showForwarder(directory: String) {
        guard let forward = ForwarderStatus.read(directory: directory) else { return }
        let fresh = (ForwarderStatus.age(directory: directory) ?? .infinity) < 5 && kill(forward.pid, 0) == 0
        let state = !fresh ? "not running" : forward.connected ? "connected" : "retrying"
        if json {
            var object: [String: Any] = ["forward": state, "site": forward.site, "database": forward.database, "lag": forward.lag,
                                         "committed": forward.committed, "queue_end": forward.queueEnd, "events_stored": forward.eventsStored]
            if let error = forward.lastError { object["last_error"] = error }
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) { print(String(decoding: data, as: UTF8.self)) }
        } else {
            print("")
            print("forward".padding(16) + state.padding(14) + "lag \(forward.lag) event(s), \(forward.eventsStored) stored as site \(forward.site) in \(forward.database)")
            if let error = forward.lastError { print("".padding(16) + "last error: \(error)") }
        }
    }

    private func showAllHosts(_ configuration: VigilConfiguration) throws {
        let endpoint: PostgresEndpoint
        do { endpoint = try PostgresEndpoint(settings: configuration.forward ?? ForwardSettings()) } catch {
            FileHandleOutput.standardError("vigil status: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
        nonisolated(unsafe) var fetched: (cameras: [FleetStatusQuery.Camera], positions: [FleetStatusQuery.Position])?
        var logger = Logger(label: "vigil.status")
        logger.logLevel = .critical
        let quiet = logger
        if let failure = runBlocking({ fetched = try await FleetStatusQuery.fetch(endpoint: endpoint, logger: quiet) }) {
            FileHandleOutput.standardError("vigil status: cannot read \(endpoint): \(ForwardError.describe(failure))")
            throw ExitCode.failure
        }
        let (cameras, positions) = fetched!
        if !json { print("host".padding(14) + "camera".padding(16) + "state".padding(14) + "frames".padding(10) + "events".padding(9) + "reported") }
        for camera in cameras {
            // A host that stopped reporting: its last word is shown, but not as the truth.
            let state = camera.age > max(15, 3 * (configuration.forward?.cameraStateSeconds ?? 5)) ? "unknown (host silent)" : camera.state
            if json {
                var object: [String: Any] = ["host": camera.site, "camera": camera.camera, "state": state, "reported_seconds_ago": (camera.age * 10).rounded() / 10]
                if let frames = camera.framesAnalysed { object["frames_analysed"] = frames }
                if let events = camera.eventsAppended { object["events"] = events }
                if let error = camera.lastError { object["last_error"] = error }
                print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            } else {
                print(camera.site.padding(14) + camera.camera.padding(16) + state.padding(14) + "\(camera.framesAnalysed ?? 0)".padding(10)
                      + "\(camera.eventsAppended ?? 0)".padding(9) + "\(Int(camera.age)) s ago")
            }
        }
        if !json {
            print("")
            for position in positions {
                print("stored".padding(14) + position.site.padding(16) + "queue \(position.queue.prefix(8)): \(position.nextOffset) event(s), last batch \(Int(position.age)) s ago")
            }
        }
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every camera of a configuration, one worker process each, restarting any that dies.",
        discussion: "SIGTERM or SIGINT stops every worker gracefully. `vigil status --config FILE` shows the fleet."
    )

    @Option(help: "Configuration file.")
    var config: String

    @Flag(help: "Passed to every worker: read file sources at their own frame rate.")
    var realtime = false

    @Flag(help: "Passed to every worker: start file sources again at their end.")
    var loop = false

    @Option(help: "Run only the cameras whose host: is NAME (one config shared by a fleet of hosts); their events carry NAME as their site.")
    var host: String?

    func validate() throws {
        if let host, !ForwardSettings.isSiteName(host) { throw ValidationError("--host uses letters, digits, '-', '_' or '.'") }
    }

    func run() throws {
        let configuration = try loadConfiguration(config)
        if let host, configuration.cameras(forHost: host).isEmpty {
            let named = Set(configuration.cameras.compactMap(\.host)).sorted()
            FileHandleOutput.standardError("vigil: no camera in \(config) has host: \(host)" + (named.isEmpty ? " (no camera names a host)" : " (hosts named: \(named.joined(separator: ", ")))"))
            throw ExitCode(ExitStatus.usage)
        }
        guard configuration.queue != nil else {
            FileHandleOutput.standardError("vigil: \(config) has no queue.path; workers need a queue for their events")
            throw ExitCode(ExitStatus.usage)
        }
        let logger = bootstrapLogging(configuration.service, format: nil, label: "vigil.run")
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let supervisor = FleetSupervisor(executable: executable, members: members(configuration), stateDirectory: configuration.service.stateDirectory, logger: logger)
        // A changed config starts added cameras and stops removed ones; the workers reload
        // their own settings (and get SIGHUP passed on, to do it at once).
        let watcher = ConfigWatcher(path: config, logger: logger) { [self] changed in
            supervisor.setMembers(members(changed))
            supervisor.signalAll(SIGHUP)
        }
        watcher.start()
        defer { watcher.stop() }
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { supervisor.stop() }
            source.resume()
            sources.append(source)
        }
        let failed = supervisor.run()
        _ = sources
        if failed > 0 { throw ExitCode.failure }
    }
}

extension Run {
    /// One worker per camera of this host, plus the console when the config has a `console:`
    /// section and the forwarder when it has `forward:` (supervised and restarted like workers).
    func members(_ configuration: VigilConfiguration) -> [FleetSupervisor.Member] {
        let hostArguments = host.map { ["--host", $0] } ?? []
        var members = configuration.cameras(forHost: host).map { camera in
            FleetSupervisor.Member(camera: camera.id, arguments: ["worker", "--config", config, "--camera", camera.id]
                                   + (realtime ? ["--realtime"] : []) + (loop ? ["--loop"] : []) + hostArguments)
        }
        if configuration.console != nil {
            members.append(FleetSupervisor.Member(camera: "console", arguments: ["console", "--config", config]))
        }
        if configuration.forward != nil {
            members.append(FleetSupervisor.Member(camera: "forward", arguments: ["forward", "--config", config] + hostArguments))
        }
        return members
    }
}

private extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
