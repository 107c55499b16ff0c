import Yams

/// How live workers run: `service:` (state folder, metrics, logs, reconnects).
extension NodeReader {
    mutating func service(_ node: Node, _ path: String) -> ServiceSettings? {
        guard let fields = mapping(node, path, allowed: ["state_dir", "metrics", "log", "offline_after", "reconnect", "read_timeout"]) else { return nil }
        var settings = ServiceSettings()
        if let node = fields["state_dir"], let value = string(node, path + ".state_dir") { settings.stateDirectory = value }
        if let node = fields["metrics"], let metrics = mapping(node, path + ".metrics", allowed: ["host", "port"]) {
            if let node = metrics["host"], let value = string(node, path + ".metrics.host") { settings.metricsHost = value }
            if let node = metrics["port"], let value = port(node, path + ".metrics.port") { settings.metricsPort = value }
        }
        if let node = fields["log"], let log = mapping(node, path + ".log", allowed: ["format", "level"]) {
            if let node = log["format"], let text = string(node, path + ".log.format") {
                if let format = ServiceSettings.LogFormat(rawValue: text) { settings.logFormat = format }
                else { fail(path + ".log.format", node, "expected one of: human, json, found '\(text)'") }
            }
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            if let node = log["level"], let text = string(node, path + ".log.level") {
                if levels.contains(text) { settings.logLevel = text }
                else { fail(path + ".log.level", node, "expected one of: \(levels.joined(separator: ", ")), found '\(text)'") }
            }
        }
        if let node = fields["offline_after"], let value = positive(node, path + ".offline_after") { settings.offlineAfter = value }
        if let node = fields["read_timeout"], let value = positive(node, path + ".read_timeout") { settings.readTimeout = value }
        if let node = fields["reconnect"], let reconnect = mapping(node, path + ".reconnect", allowed: ["first", "longest"]) {
            if let node = reconnect["first"], let value = positive(node, path + ".reconnect.first") { settings.reconnectFirst = value }
            if let node = reconnect["longest"], let value = positive(node, path + ".reconnect.longest") {
                if value >= settings.reconnectFirst { settings.reconnectLongest = value }
                else { fail(path + ".reconnect.longest", node, "must be at least reconnect.first (\(settings.reconnectFirst)), found \(value)") }
            }
        }
        return settings
    }


    /// A TCP port; 0 switches the server off.
    mutating func port(_ node: Node, _ path: String) -> Int? {
        guard let value = integer(node, path) else { return nil }
        guard (0...65535).contains(value) else { fail(path, node, "a port is 0 (off) to 65535, found \(value)"); return nil }
        return value
    }

}
