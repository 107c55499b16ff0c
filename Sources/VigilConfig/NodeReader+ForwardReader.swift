import Yams

/// The PostgreSQL forwarder: `forward:`.
extension NodeReader {
    mutating func forward(_ node: Node, _ path: String) -> ForwardSettings? {
        var settings = ForwardSettings()
        // `forward: {}` or a bare `forward:` takes everything from the PG* variables.
        if case let .scalar(scalar) = node, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" { return settings }
        guard let fields = mapping(node, path, allowed: ["url", "password_file", "tls", "site", "batch", "method", "metrics_port", "camera_state_seconds"]) else { return nil }
        if let node = fields["url"], let text = string(node, path + ".url") {
            if let problem = ForwardSettings.urlProblem(text) { fail(path + ".url", node, problem) } else { settings.url = text }
        }
        if let node = fields["password_file"], let value = string(node, path + ".password_file") { settings.passwordFile = value }
        if let node = fields["tls"], let text = string(node, path + ".tls") {
            if let mode = ForwardSettings.TLSMode(rawValue: text) { settings.tls = mode }
            else { fail(path + ".tls", node, "expected disable, prefer or require, found '\(text)'") }
        }
        if let node = fields["site"], let text = string(node, path + ".site") {
            if ForwardSettings.isSiteName(text) { settings.site = text }
            else { fail(path + ".site", node, "a site name uses letters, digits, '-', '_' or '.', found '\(text)'") }
        }
        if let node = fields["batch"], let value = integer(node, path + ".batch") {
            if (1...50_000).contains(value) { settings.batch = value }
            else { fail(path + ".batch", node, "must be 1 to 50000 events, found \(value)") }
        }
        if let node = fields["method"], let text = string(node, path + ".method") {
            if let method = ForwardSettings.Method(rawValue: text) { settings.method = method }
            else { fail(path + ".method", node, "expected copy or unnest, found '\(text)'") }
        }
        if let node = fields["metrics_port"], let value = port(node, path + ".metrics_port") { settings.metricsPort = value }
        if let node = fields["camera_state_seconds"], let value = positive(node, path + ".camera_state_seconds") { settings.cameraStateSeconds = value }
        return settings
    }
}

extension ForwardSettings {
    /// Site and host names: they go into keys and file names.
    public static func isSiteName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 63 && text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }

    /// Why `url` is not one Vigil accepts, or nil. A password in it is refused: config files are
    /// shared between hosts and read by many, and the password must never reach logs or status.
    public static func urlProblem(_ url: String) -> String? {
        guard let scheme = url.range(of: "://") else { return "expected postgresql://USER@HOST:PORT/DATABASE, found '\(url)'" }
        let name = url[..<scheme.lowerBound]
        guard name == "postgresql" || name == "postgres" else { return "the scheme must be postgresql://, found '\(name)://'" }
        let rest = url[scheme.upperBound...]
        let authority = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") {
            return "the URL holds a password; put it in password_file (or PGPASSWORD) so it stays out of the config"
        }
        if rest.contains("?") { return "query parameters are not read; use tls: for TLS and PG* variables for the rest" }
        return nil
    }
}
