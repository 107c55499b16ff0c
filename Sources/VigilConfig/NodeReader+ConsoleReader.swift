import Yams

/// The operator console: `console:`.
extension NodeReader {
    mutating func console(_ node: Node, _ path: String) -> ConsoleSettings? {
        var settings = ConsoleSettings()
        // `console: {}` or a bare `console:` turns it on with every default.
        if case let .scalar(scalar) = node, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" { return settings }
        guard let fields = mapping(node, path, allowed: ["host", "port", "language", "time_zone", "users_file", "index", "session_idle_minutes"]) else { return nil }
        if let node = fields["host"], let value = string(node, path + ".host") { settings.host = value }
        if let node = fields["port"], let value = port(node, path + ".port") {
            if value == 0 { fail(path + ".port", node, "the console needs a port (1 to 65535)") } else { settings.port = value }
        }
        if let node = fields["language"], let text = string(node, path + ".language") {
            if let language = ConsoleSettings.Language(rawValue: text) { settings.language = language }
            else { fail(path + ".language", node, "expected vi or en, found '\(text)'") }
        }
        if let node = fields["time_zone"], let text = string(node, path + ".time_zone") {
            if TimeZoneNames.isKnown(text) { settings.timeZone = text }
            else { fail(path + ".time_zone", node, "unknown time zone '\(text)'; use an IANA name such as Asia/Ho_Chi_Minh or UTC") }
        }
        if let node = fields["users_file"], let value = string(node, path + ".users_file") { settings.usersFile = value }
        if let node = fields["index"], let value = string(node, path + ".index") { settings.indexPath = value }
        if let node = fields["session_idle_minutes"], let value = positive(node, path + ".session_idle_minutes") { settings.sessionIdleMinutes = value }
        return settings
    }

    /// A TCP port; 0 switches the server off.
}
