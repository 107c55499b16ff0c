import Foundation
import Logging
import VigilConfig
import VigilEvents

/// Log lines on stderr, for a person (`human`) or for a log shipper (`json`, one object per line).
public struct VigilLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let format: ServiceSettings.LogFormat

    public init(label: String, format: ServiceSettings.LogFormat, level: Logger.Level) {
        self.label = label
        self.format = format
        logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let line: String
        switch format {
        case .human:
            let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            line = "\(UTCTime.now()) \(event.level) \(label): \(event.message)\(fields.isEmpty ? "" : " " + fields)\n"
        case .json:
            var object: [String: String] = ["time": UTCTime.now(), "level": "\(event.level)", "logger": label, "message": "\(event.message)"]
            for (key, value) in all where object[key] == nil { object[key] = "\(value)" }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            line = ((try? encoder.encode(object)).map { String(decoding: $0, as: UTF8.self) } ?? "{}") + "\n"
        }
        StandardErrorLine.write(line)
    }

    public static func level(named name: String) -> Logger.Level { Logger.Level(rawValue: name) ?? .info }
}

enum StandardErrorLine {
    private static let lock = NSLock()
    /// One write(2) per line, under a lock, so lines from threads never interleave.
    static func write(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        _ = Array(line.utf8).withUnsafeBytes { FileOutput.writeAll(STDERR_FILENO, $0) }
    }
}

/// Logs a repeating problem once per interval with how often it happened, instead of
/// one line per broken packet: a camera sending garbage must not flood the logs.
struct RateLimitedLog {
    let logger: Logger
    let interval: Double
    private var windowStart = -Double.infinity
    private var suppressed = 0

    init(logger: Logger, interval: Double) {
        self.logger = logger
        self.interval = interval
    }

    mutating func warning(_ message: String, count: Int, detail: String) {
        let now = MonotonicSeconds.now()
        if now - windowStart < interval {
            suppressed += count
            return
        }
        let earlier = suppressed
        suppressed = 0
        windowStart = now
        var metadata: Logger.Metadata = ["detail": "\(detail)", "count": "\(count)"]
        if earlier > 0 { metadata["suppressed_in_last_interval"] = "\(earlier)" }
        logger.warning("\(message)", metadata: metadata)
    }
}
