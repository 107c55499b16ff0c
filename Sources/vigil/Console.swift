import ArgumentParser
import Dispatch
import Foundation
import Logging
import VigilConfig
import VigilConsole
import VigilService

struct Console: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The operator console: camera wall, live alarms, search, traffic and crowd charts in the browser.",
        discussion: """
        Serves the page and its JSON API on console.host:console.port (127.0.0.1:8080 by default). \
        Any address other than loopback needs console.users_file (see `vigil console passwd`). \
        `vigil run` starts the console too when the configuration has a console section.
        """,
        subcommands: [ConsoleServe.self, ConsolePasswd.self],
        defaultSubcommand: ConsoleServe.self
    )
}

struct ConsoleServe: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the console (the default).")

    @Option(help: "Configuration file.")
    var config: String

    @Option(help: "Listen on this address instead of console.host.")
    var host: String?

    @Option(help: "Listen on this port instead of console.port (0: any free port, printed when listening).")
    var port: Int?

    @Option(help: "Log format: human or json (default: service.log.format).")
    var logFormat: String?

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0 to 65535") }
        if let logFormat, ServiceSettings.LogFormat(rawValue: logFormat) == nil { throw ValidationError("--log-format takes human or json") }
    }

    func run() throws {
        let configuration = try loadConfiguration(config)
        var settings = configuration.console ?? ConsoleSettings()
        if let host { settings.host = host }
        if let port { settings.port = port }
        let format = logFormat.flatMap(ServiceSettings.LogFormat.init(rawValue:)) ?? configuration.service.logFormat
        let level = VigilLogHandler.level(named: configuration.service.logLevel)
        LoggingSystem.bootstrap { label in VigilLogHandler(label: label, format: format, level: level) }
        let logger = Logger(label: "vigil.console")
        let server: ConsoleServer
        do {
            server = try ConsoleServer(options: try ConsoleOptions(configuration: configuration, settings: settings, configPath: config), logger: logger)
        } catch {
            FileHandleOutput.standardError("vigil console: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
        // Cameras added to or removed from the file appear on (or leave) the wall; SIGHUP,
        // which `vigil run` passes on, reloads at once.
        let watcher = ConfigWatcher(path: config, logger: logger) { changed in server.configurationChanged(changed) }
        watcher.start()
        defer { watcher.stop() }
        let listenHost = settings.host
        let failure = runBlocking {
            try await ConsoleProcess.run(server: server, logger: logger) { port in
                // One line on stdout for scripts (and tests) that asked for any free port.
                FileHandle.standardOutput.write(Data("console listening on http://\(listenHost):\(port)/\n".utf8))
            }
        }
        if let failure {
            FileHandleOutput.standardError("vigil console: \(failure)")
            throw ExitCode.failure
        }
    }
}

struct ConsolePasswd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd",
        abstract: "Add a console user or change one's password and role.",
        discussion: "Reads the password from standard input (one line), so it never appears in the shell's history or the process list."
    )

    @Option(help: "The users file (console.users_file); created when missing.")
    var usersFile: String

    @Option(help: "User name.")
    var name: String

    @Option(help: "viewer (sees) or operator (also acknowledges alarms).")
    var role: ConsoleUser.Role = .viewer

    func validate() throws {
        if name.isEmpty || name.count > 128 || name.contains(where: { $0.isNewline }) { throw ValidationError("--name must be 1 to 128 characters on one line") }
    }

    func run() throws {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            FileHandleOutput.standardError("vigil console passwd: give the password on standard input")
            throw ExitCode(ExitStatus.usage)
        }
        guard line.count >= 8 else {
            FileHandleOutput.standardError("vigil console passwd: the password must be at least 8 characters")
            throw ExitCode(ExitStatus.usage)
        }
        do {
            try UserDirectory.setUser(path: usersFile, name: name, role: role, password: line)
        } catch {
            FileHandleOutput.standardError("vigil console passwd: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
        print("\(usersFile): \(name) (\(role.rawValue)) saved")
    }
}

extension ConsoleUser.Role: ExpressibleByArgument {}
