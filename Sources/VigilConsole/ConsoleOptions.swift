import VigilConfig

/// Everything the console needs, resolved once from the configuration file.
public struct ConsoleOptions: Sendable {
    public var settings: ConsoleSettings
    public var queueDirectory: String
    public var stateDirectory: String
    public var cameras: [CameraSettings]
    /// A camera whose last frame is older than this is shown as stalled.
    public var stalledAfter: Double
    public var indexPath: String
    /// Nil: no users file, so everyone who reaches the console is the local operator.
    public var users: UserDirectory?
    /// The configuration file, for the editor (nil: the editor is off).
    public var configPath: String?

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads the users file and refuses an open console on a non-loopback address.
    public init(configuration: VigilConfiguration, settings: ConsoleSettings? = nil, configPath: String? = nil) throws {
        self.configPath = configPath
        guard let queue = configuration.queue else {
            throw StartError(description: "the configuration has no queue.path; the console shows the queue's events")
        }
        let settings = settings ?? configuration.console ?? ConsoleSettings()
        self.settings = settings
        queueDirectory = queue.path
        stateDirectory = configuration.service.stateDirectory
        cameras = configuration.cameras
        stalledAfter = configuration.service.readTimeout
        indexPath = settings.indexPath ?? configuration.service.stateDirectory + "/console-index.sqlite"
        users = try settings.usersFile.map { try UserDirectory.load(path: $0) }
        if users == nil && !Self.isLoopback(settings.host) {
            throw StartError(description: "console.host is \(settings.host), reachable from other machines, and no console.users_file is set: "
                             + "add users (vigil console passwd --users-file FILE --name NAME --role operator) or bind to 127.0.0.1")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
