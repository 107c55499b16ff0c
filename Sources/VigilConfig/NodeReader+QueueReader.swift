import Yams

/// The event queue: `queue:`.
extension NodeReader {
    mutating func queue(_ node: Node, _ path: String) -> QueueSettings? {
        guard let fields = mapping(node, path, allowed: ["path", "fsync", "segment_mib", "retain_hours", "retain_gib"]) else { return nil }
        guard let pathNode = required(fields, "path", path, node), let directory = string(pathNode, path + ".path") else { return nil }
        var policy = QueueSettings.FsyncPolicy.always
        if let fsyncNode = fields["fsync"], let text = string(fsyncNode, path + ".fsync") {
            if let parsed = QueueSettings.FsyncPolicy(rawValue: text) { policy = parsed }
            else { fail(path + ".fsync", fsyncNode, "expected one of: \(QueueSettings.FsyncPolicy.allCases.map(\.rawValue).joined(separator: ", ")), found '\(text)'") }
        }
        var settings = QueueSettings(path: directory, fsync: policy)
        if let node = fields["segment_mib"], let value = integer(node, path + ".segment_mib") {
            if (1...4096).contains(value) { settings.segmentMiB = value } else { fail(path + ".segment_mib", node, "must be between 1 and 4096, found \(value)") }
        }
        if let node = fields["retain_hours"], let value = number(node, path + ".retain_hours") {
            if value > 0 { settings.retainHours = value } else { fail(path + ".retain_hours", node, "must be above 0, found \(value)") }
        }
        if let node = fields["retain_gib"], let value = number(node, path + ".retain_gib") {
            if value > 0 { settings.retainGiB = value } else { fail(path + ".retain_gib", node, "must be above 0, found \(value)") }
        }
        return settings
    }

}
