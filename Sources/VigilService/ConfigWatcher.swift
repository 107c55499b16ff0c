import Dispatch
import Foundation
import Logging
import Synchronization
import VigilConfig

/// Watches a configuration file for changes (its modification time and size, checked every
/// `interval` seconds) and SIGHUP, and hands each newly loaded configuration to `onChange`.
/// A file that does not load is reported with its reasons and ignored: what runs keeps running.
public final class ConfigWatcher {
    public let path: String
    private let interval: Double
    private let logger: Logger
    private let onChange: @Sendable (VigilConfiguration) -> Void
    private let stamp: Mutex<String?>
    private var sources: [any DispatchSourceProtocol] = []

    public init(path: String, interval: Double = 1, logger: Logger, onChange: @escaping @Sendable (VigilConfiguration) -> Void) {
        self.path = path
        self.interval = interval
        self.logger = logger
        self.onChange = onChange
        stamp = Mutex(Self.stamp(path))
    }

    public func start() {
        let queue = DispatchQueue(label: "vigil.config-watcher")
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [self] in check(force: false) }
        timer.resume()
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
        hangup.setEventHandler { [self] in check(force: true) }
        hangup.resume()
        sources = [timer, hangup]
    }

    public func stop() {
        for source in sources { source.cancel() }
        sources = []
    }

    /// Reloads when the file changed since the last look (or always, on SIGHUP).
    func check(force: Bool) {
        let now = Self.stamp(path)
        let changed = stamp.withLock { last -> Bool in
            defer { last = now }
            return last != now
        }
        guard force || changed else { return }
        do {
            let configuration = try ConfigLoader.load(path: path)
            onChange(configuration)
        } catch {
            logger.error("configuration refused; the running one stays in force", metadata: ["file": "\(path)", "reason": "\(error)"])
        }
    }

    /// Modification time and size: an editor's atomic rename and an in-place write both change it.
    static func stamp(_ path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return "\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)/\(status.st_size)/\(status.st_ino)"
    }
}
