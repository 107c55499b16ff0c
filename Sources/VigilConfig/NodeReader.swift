import Yams

/// Walks the YAML tree, converting and validating as it goes. Each problem is
/// recorded with the field's path and the line it sits on, and reading continues
/// so the user sees every problem at once.
struct NodeReader {
    private(set) var issues: [ConfigIssue] = []

    mutating func fail(_ path: String, _ node: Node?, _ message: String) {
        issues.append(ConfigIssue(field: path, line: node?.mark?.line, column: node?.mark?.column, message: message))
    }

    // MARK: Primitive readers

    /// The mapping's entries by key, after rejecting keys the schema does not know
    /// (a misspelt key silently ignored is a rule silently off).
    mutating func mapping(_ node: Node, _ path: String, allowed: [String]) -> [String: Node]? {
        guard case let .mapping(mapping) = node else {
            fail(path, node, "expected a mapping (key: value pairs), found \(kindName(node))")
            return nil
        }
        var result: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { fail(path, keyNode, "keys must be plain text"); continue }
            if !allowed.contains(key) {
                fail(join(path, key), keyNode, "unknown field; expected one of: \(allowed.joined(separator: ", "))")
                continue
            }
            result[key] = value
        }
        return result
    }

    mutating func sequence(_ node: Node, _ path: String) -> [Node]? {
        guard case let .sequence(sequence) = node else {
            fail(path, node, "expected a list, found \(kindName(node))")
            return nil
        }
        return Array(sequence)
    }

    mutating func string(_ node: Node, _ path: String) -> String? {
        // An unquoted `~` or `null` is YAML's "nothing", not the text "null".
        guard case let .scalar(scalar) = node, !(scalar.style == .plain && ["~", "null", "Null", "NULL"].contains(scalar.string)) else {
            fail(path, node, "expected text, found \(kindName(node))")
            return nil
        }
        let text = scalar.string
        if text.isEmpty { fail(path, node, "must not be empty"); return nil }
        return text
    }

    mutating func number(_ node: Node, _ path: String) -> Double? {
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init), value.isFinite else {
            fail(path, node, "expected a number, found \(describe(node))")
            return nil
        }
        return value
    }

    mutating func boolean(_ node: Node, _ path: String) -> Bool? {
        guard case .scalar = node, let value = node.bool else {
            fail(path, node, "expected true or false, found \(describe(node))")
            return nil
        }
        return value
    }

    mutating func positive(_ node: Node, _ path: String) -> Double? {
        guard let value = number(node, path) else { return nil }
        guard value > 0 else { fail(path, node, "must be above 0, found \(value)"); return nil }
        return value
    }

    mutating func integer(_ node: Node, _ path: String) -> Int? {
        guard case .scalar = node, let value = node.int else {
            fail(path, node, "expected a whole number, found \(describe(node))")
            return nil
        }
        return value
    }

    mutating func unitNumber(_ node: Node, _ path: String) -> Double? {
        guard let value = number(node, path) else { return nil }
        guard value >= 0 && value <= 1 else {
            fail(path, node, "normalized coordinates must be within 0…1, found \(value)")
            return nil
        }
        return value
    }

    mutating func point(_ node: Node, _ path: String) -> NormalizedPoint? {
        guard let items = sequence(node, path) else { return nil }
        guard items.count == 2 else { fail(path, node, "a point is [x, y], found \(items.count) value(s)"); return nil }
        let x = unitNumber(items[0], path + "[0]"), y = unitNumber(items[1], path + "[1]")
        guard let x, let y else { return nil }
        return NormalizedPoint(x: x, y: y)
    }

    mutating func required(_ fields: [String: Node], _ key: String, _ path: String, _ parent: Node) -> Node? {
        guard let node = fields[key] else { fail(join(path, key), parent, "required field is missing"); return nil }
        return node
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func kindName(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar): return scalar.string.isEmpty ? "nothing" : "'\(scalar.string)'"
        case .alias: return "an alias"
        }
    }

    private func describe(_ node: Node) -> String { kindName(node) }

    // MARK: The schema

    mutating func configuration(_ root: Node) -> VigilConfiguration {
        var configuration = VigilConfiguration(queue: nil, cameras: [])
        guard let fields = mapping(root, "", allowed: ["queue", "service", "console", "cameras"]) else { return configuration }
        if let consoleNode = fields["console"] { configuration.console = console(consoleNode, "console") }
        if let queueNode = fields["queue"] { configuration.queue = queue(queueNode, "queue") }
        if let serviceNode = fields["service"], let settings = service(serviceNode, "service") { configuration.service = settings }
        guard let camerasNode = required(fields, "cameras", "", root), let items = sequence(camerasNode, "cameras") else {
            return configuration
        }
        if items.isEmpty { fail("cameras", camerasNode, "the list is empty; configure at least one camera") }
        var seen: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let path = "cameras[\(index)]"
            guard let camera = camera(item, path) else { continue }
            if let first = seen[camera.id] {
                fail(path + ".id", item, "camera id '\(camera.id)' is already used by cameras[\(first)]")
            } else {
                seen[camera.id] = index
            }
            configuration.cameras.append(camera)
        }
        return configuration
    }

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
    mutating func port(_ node: Node, _ path: String) -> Int? {
        guard let value = integer(node, path) else { return nil }
        guard (0...65535).contains(value) else { fail(path, node, "a port is 0 (off) to 65535, found \(value)"); return nil }
        return value
    }

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

    mutating func camera(_ node: Node, _ path: String) -> CameraSettings? {
        guard let fields = mapping(node, path, allowed: ["id", "name", "group", "source", "analysis", "perspective", "model", "classes_model", "zones", "lines", "motion", "tamper", "ground", "tracking", "metrics_port", "rtsp_transport"]) else { return nil }
        let idNode = required(fields, "id", path, node)
        let sourceNode = required(fields, "source", path, node)
        let id = idNode.flatMap { string($0, path + ".id") }
        let source = sourceNode.flatMap { string($0, path + ".source") }
        if let id, let idNode, !id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) {
            fail(path + ".id", idNode, "use letters, digits, '-', '_' or '.' only (it names files and metrics), found '\(id)'")
        }
        var analysis = AnalysisSettings(fps: nil, width: AnalysisSettings.defaultWidth)
        if let analysisNode = fields["analysis"], let settings = self.analysis(analysisNode, path + ".analysis") { analysis = settings }
        let perspective = fields["perspective"].flatMap { self.perspective($0, path + ".perspective") }
        let model = fields["model"].flatMap { string($0, path + ".model") }
        let classesModel = fields["classes_model"].flatMap { string($0, path + ".classes_model") }
        let zones = identifiedList(fields["zones"], path + ".zones", kind: "zone", most: Self.mostZones, id: \.id) { reader, item, itemPath in
            reader.zone(item, itemPath)
        }
        let lines = identifiedList(fields["lines"], path + ".lines", kind: "line", most: Self.mostLines, id: \.id) { reader, item, itemPath in
            reader.line(item, itemPath)
        }
        var ignore: [[NormalizedPoint]] = []
        var shadows = false
        var motionModel: String?
        if let motionNode = fields["motion"], let motionFields = mapping(motionNode, path + ".motion", allowed: ["ignore", "shadows", "model"]) {
            if let node = motionFields["model"], let value = string(node, path + ".motion.model") {
                if CameraSettings.motionModels.contains(value) { motionModel = value }
                else { fail(path + ".motion.model", node, "expected \(CameraSettings.motionModels.joined(separator: " or ")), found '\(value)'") }
            }
            if let ignoreNode = motionFields["ignore"], let polygons = sequence(ignoreNode, path + ".motion.ignore") {
                for (index, polygonNode) in polygons.enumerated() {
                    if let polygon = polygon(polygonNode, "\(path).motion.ignore[\(index)]") { ignore.append(polygon) }
                }
            }
            if let node = motionFields["shadows"], let value = boolean(node, path + ".motion.shadows") { shadows = value }
        }
        guard let id, let source else { return nil }
        var camera = CameraSettings(id: id, source: source, analysis: analysis, perspective: perspective, model: model, zones: zones, lines: lines)
        camera.classesModel = classesModel
        camera.name = fields["name"].flatMap { string($0, path + ".name") }
        camera.group = fields["group"].flatMap { string($0, path + ".group") }
        camera.motionIgnore = ignore
        camera.suppressShadows = shadows
        camera.motionModel = motionModel
        if let node = fields["metrics_port"], let value = port(node, path + ".metrics_port") { camera.metricsPort = value }
        if let node = fields["rtsp_transport"], let value = string(node, path + ".rtsp_transport") {
            if ["auto", "tcp", "udp"].contains(value) { camera.rtspTransport = value }
            else { fail(path + ".rtsp_transport", node, "expected auto, tcp or udp, found '\(value)'") }
        }
        if let groundNode = fields["ground"], let groundFields = mapping(groundNode, path + ".ground", allowed: ["image", "metres"]) {
            let imageNode = required(groundFields, "image", path + ".ground", groundNode)
            let metresNode = required(groundFields, "metres", path + ".ground", groundNode)
            let image = imageNode.flatMap { node in sequence(node, path + ".ground.image").map { items in items.enumerated().compactMap { point($1, "\(path).ground.image[\($0)]") } } }
            var metres: [NormalizedPoint]? = nil
            if let metresNode, let items = sequence(metresNode, path + ".ground.metres") {
                metres = items.enumerated().compactMap { index, item -> NormalizedPoint? in
                    guard let pair = sequence(item, "\(path).ground.metres[\(index)]"), pair.count == 2,
                          let x = number(pair[0], "\(path).ground.metres[\(index)][0]"), let y = number(pair[1], "\(path).ground.metres[\(index)][1]") else {
                        fail("\(path).ground.metres[\(index)]", item, "expected [x, y] in metres")
                        return nil
                    }
                    return NormalizedPoint(x: x, y: y)
                }
            }
            if let image, let metres {
                if image.count != 4 || metres.count != 4 {
                    fail(path + ".ground", groundNode, "needs exactly four image points and four ground points, found \(image.count) and \(metres.count)")
                } else if Self.hasThreeInLine(image) || Self.hasThreeInLine(metres) {
                    fail(path + ".ground", groundNode, "three of the points are on one line (or two coincide): the four points must form a quadrilateral")
                } else {
                    camera.groundImage = image
                    camera.groundMetres = metres
                }
            }
        }
        if let trackingNode = fields["tracking"], let trackingFields = mapping(trackingNode, path + ".tracking", allowed: ["split_groups"]),
           let node = trackingFields["split_groups"], let value = boolean(node, path + ".tracking.split_groups") {
            if value && perspective == nil { fail(path + ".tracking.split_groups", node, "needs the camera's perspective (a person's height at two rows)") }
            camera.splitGroups = value
        }
        if let tamperNode = fields["tamper"], let tamperFields = mapping(tamperNode, path + ".tamper", allowed: ["enabled", "seconds"]) {
            if let node = tamperFields["enabled"], let value = boolean(node, path + ".tamper.enabled") { camera.tamperEnabled = value }
            if let node = tamperFields["seconds"], let value = positive(node, path + ".tamper.seconds") { camera.tamperSeconds = value }
        }
        return camera
    }

    mutating func analysis(_ node: Node, _ path: String) -> AnalysisSettings? {
        guard let fields = mapping(node, path, allowed: ["fps", "width"]) else { return nil }
        var settings = AnalysisSettings(fps: nil, width: AnalysisSettings.defaultWidth)
        if let fpsNode = fields["fps"], let fps = number(fpsNode, path + ".fps") {
            if fps > 0 && fps <= 120 { settings.fps = fps } else { fail(path + ".fps", fpsNode, "must be above 0 and at most 120, found \(fps)") }
        }
        if let widthNode = fields["width"], let width = integer(widthNode, path + ".width") {
            if width >= 32 && width <= 3840 { settings.width = width } else { fail(path + ".width", widthNode, "must be between 32 and 3840 pixels, found \(width)") }
        }
        return settings
    }

    mutating func perspective(_ node: Node, _ path: String) -> Perspective? {
        guard let fields = mapping(node, path, allowed: ["near", "far"]) else { return nil }
        let near = required(fields, "near", path, node).flatMap { reference($0, path + ".near") }
        let far = required(fields, "far", path, node).flatMap { reference($0, path + ".far") }
        guard let near, let far else { return nil }
        if near.y <= far.y {
            fail(path + ".near.y", fields["near"], "the near reference must be lower in the picture (larger y) than the far one")
            return nil
        }
        if near.personHeight < far.personHeight {
            fail(path + ".near.person_height", fields["near"], "people near the camera cannot look smaller than far away")
            return nil
        }
        return Perspective(near: near, far: far)
    }

    mutating func reference(_ node: Node, _ path: String) -> Perspective.Reference? {
        guard let fields = mapping(node, path, allowed: ["y", "person_height"]) else { return nil }
        let y = required(fields, "y", path, node).flatMap { unitNumber($0, path + ".y") }
        let height = required(fields, "person_height", path, node).flatMap { unitNumber($0, path + ".person_height") }
        guard let y, let height else { return nil }
        if height <= 0 { fail(path + ".person_height", fields["person_height"], "must be above 0"); return nil }
        return Perspective.Reference(y: y, personHeight: height)
    }

    mutating func zone(_ node: Node, _ path: String) -> ZoneSettings? {
        guard let fields = mapping(node, path, allowed: ["id", "polygon", "crowd", "intrusion", "loitering", "stopped_vehicle", "wrong_way", "congestion", "abandoned_object"]) else { return nil }
        let id = required(fields, "id", path, node).flatMap { string($0, path + ".id") }
        let polygon = required(fields, "polygon", path, node).flatMap { self.polygon($0, path + ".polygon") }
        var crowd: CrowdRule? = nil
        if let crowdNode = fields["crowd"], let crowdFields = mapping(crowdNode, path + ".crowd", allowed: ["levels", "unit", "dwell", "gathering", "running"]),
           let levelsNode = required(crowdFields, "levels", path + ".crowd", crowdNode), let items = sequence(levelsNode, path + ".crowd.levels") {
            let levels = items.enumerated().compactMap { number($1, "\(path).crowd.levels[\($0)]") }
            if levels.count == items.count {
                if levels.isEmpty || levels.contains(where: { $0 <= 0 }) || levels != levels.sorted() || Set(levels).count != levels.count {
                    fail(path + ".crowd.levels", levelsNode, "levels must be positive numbers in ascending order, found \(levels)")
                } else {
                    var rule = CrowdRule(levels: levels)
                    if let node = crowdFields["unit"], let unit = string(node, path + ".crowd.unit") {
                        if let parsed = CrowdRule.Unit(rawValue: unit) { rule.unit = parsed }
                        else { fail(path + ".crowd.unit", node, "expected people or per_square_metre, found '\(unit)'") }
                    }
                    if let node = crowdFields["dwell"], let value = number(node, path + ".crowd.dwell") {
                        if value >= 0 { rule.dwellSeconds = value } else { fail(path + ".crowd.dwell", node, "must be 0 or more seconds, found \(value)") }
                    }
                    if let node = crowdFields["gathering"], let gathering = mapping(node, path + ".crowd.gathering", allowed: ["rise", "seconds"]) {
                        rule.gatheringRise = gathering["rise"].flatMap { positive($0, path + ".crowd.gathering.rise") } ?? 10
                        if let node = gathering["seconds"], let value = positive(node, path + ".crowd.gathering.seconds") { rule.gatheringSeconds = value }
                    }
                    if let node = crowdFields["running"], let running = mapping(node, path + ".crowd.running", allowed: ["speed", "min_people"]) {
                        rule.runningSpeed = running["speed"].flatMap { positive($0, path + ".crowd.running.speed") } ?? 1.5
                        if let node = running["min_people"], let value = positive(node, path + ".crowd.running.min_people") { rule.runningMinimumPeople = value }
                    }
                    crowd = rule
                }
            }
        }
        var intrusion: IntrusionRule? = nil
        if let intrusionNode = fields["intrusion"], let intrusionFields = mapping(intrusionNode, path + ".intrusion", allowed: ["schedule", "classes"]) {
            var rule = IntrusionRule(schedule: nil, classes: ["person", "vehicle"])
            if let scheduleNode = intrusionFields["schedule"], let text = string(scheduleNode, path + ".intrusion.schedule") {
                if let schedule = Self.schedule(text) { rule.schedule = schedule }
                else { fail(path + ".intrusion.schedule", scheduleNode, "expected a daily window like \"22:00-05:00\", found '\(text)'") }
            }
            if let classesNode = intrusionFields["classes"], let items = sequence(classesNode, path + ".intrusion.classes") {
                let known = ["person", "vehicle", "unknown"]
                rule.classes = items.enumerated().compactMap { index, item in
                    guard let name = string(item, "\(path).intrusion.classes[\(index)]") else { return nil }
                    guard known.contains(name) else { fail("\(path).intrusion.classes[\(index)]", item, "expected one of: \(known.joined(separator: ", ")), found '\(name)'"); return nil }
                    return name
                }
            }
            intrusion = rule
        }
        var loitering: LoiteringRule? = nil
        if let loiteringNode = fields["loitering"], let loiteringFields = mapping(loiteringNode, path + ".loitering", allowed: ["seconds"]),
           let secondsNode = required(loiteringFields, "seconds", path + ".loitering", loiteringNode), let seconds = number(secondsNode, path + ".loitering.seconds") {
            if seconds > 0 { loitering = LoiteringRule(seconds: seconds) } else { fail(path + ".loitering.seconds", secondsNode, "must be above 0, found \(seconds)") }
        }
        var stopped: StoppedVehicleRule? = nil
        if let ruleNode = fields["stopped_vehicle"], let ruleFields = mapping(ruleNode, path + ".stopped_vehicle", allowed: ["seconds"]) {
            stopped = StoppedVehicleRule(seconds: 20)
            if let node = ruleFields["seconds"], let value = positive(node, path + ".stopped_vehicle.seconds") { stopped?.seconds = value }
        }
        var wrongWay: WrongWayRule? = nil
        if let ruleNode = fields["wrong_way"], let ruleFields = mapping(ruleNode, path + ".wrong_way", allowed: ["direction", "seconds"]),
           let directionNode = required(ruleFields, "direction", path + ".wrong_way", ruleNode) {
            if let items = sequence(directionNode, path + ".wrong_way.direction"), items.count == 2,
               let dx = number(items[0], path + ".wrong_way.direction[0]"), let dy = number(items[1], path + ".wrong_way.direction[1]") {
                if dx == 0 && dy == 0 { fail(path + ".wrong_way.direction", directionNode, "the allowed direction needs a length, found [0, 0]") }
                else { wrongWay = WrongWayRule(direction: NormalizedPoint(x: dx, y: dy)) }
            } else if case .sequence = directionNode {
                fail(path + ".wrong_way.direction", directionNode, "expected [dx, dy], the allowed direction of travel in the picture")
            }
            if let node = ruleFields["seconds"], let value = positive(node, path + ".wrong_way.seconds") { wrongWay?.seconds = value }
        }
        var congestion: CongestionRule? = nil
        if let ruleNode = fields["congestion"], let ruleFields = mapping(ruleNode, path + ".congestion", allowed: ["vehicles", "speed", "seconds"]) {
            var rule = CongestionRule()
            if let node = ruleFields["vehicles"], let value = integer(node, path + ".congestion.vehicles") {
                if value >= 1 { rule.vehicles = value } else { fail(path + ".congestion.vehicles", node, "must be at least 1, found \(value)") }
            }
            if let node = ruleFields["speed"], let value = positive(node, path + ".congestion.speed") { rule.speed = value }
            if let node = ruleFields["seconds"], let value = positive(node, path + ".congestion.seconds") { rule.seconds = value }
            congestion = rule
        }
        var abandoned: Double? = nil
        if let ruleNode = fields["abandoned_object"], let ruleFields = mapping(ruleNode, path + ".abandoned_object", allowed: ["seconds"]) {
            abandoned = 60
            if let node = ruleFields["seconds"], let value = positive(node, path + ".abandoned_object.seconds") { abandoned = value }
        }
        guard let id, let polygon else { return nil }
        var zone = ZoneSettings(id: id, polygon: polygon, crowd: crowd, intrusion: intrusion, loitering: loitering)
        zone.stoppedVehicle = stopped
        zone.wrongWay = wrongWay
        zone.congestion = congestion
        zone.abandonedSeconds = abandoned
        return zone
    }

    mutating func polygon(_ node: Node, _ path: String) -> [NormalizedPoint]? {
        guard let items = sequence(node, path) else { return nil }
        if items.count > Self.mostPolygonPoints {
            fail(path, node, "\(items.count) points; a polygon takes at most \(Self.mostPolygonPoints)")
            return nil
        }
        let points = items.enumerated().compactMap { point($1, "\(path)[\($0)]") }
        if items.count < 3 {
            fail(path, node, "a polygon needs at least 3 points, found \(items.count)")
            return nil
        }
        guard points.count == items.count else { return nil }
        if Self.twiceSignedArea(points) == 0 { fail(path, node, "the points are all on one line: the area is empty"); return nil }
        if let (first, second) = PolygonCheck.crossingEdges(points) {
            // A figure-of-eight has no inside an operator can point at: which half is the zone?
            fail(path, items[second], "the polygon's edges cross (edge from point \(first) and edge from point \(second)); list the points in order around the area")
            return nil
        }
        return points
    }

    /// A camera's list of zones or lines: bounded in length, each item read by `read`, ids
    /// unique (checked with a set, so a long list costs linear time).
    mutating func identifiedList<Item>(_ node: Node?, _ path: String, kind: String, most: Int, id: (Item) -> String,
                                       read: (inout NodeReader, Node, String) -> Item?) -> [Item] {
        guard let node, let items = sequence(node, path) else { return [] }
        if items.count > most {
            fail(path, node, "\(items.count) \(kind)s; a camera takes at most \(most)")
            return []
        }
        var result: [Item] = []
        var ids: Set<String> = []
        for (index, itemNode) in items.enumerated() {
            guard let item = read(&self, itemNode, "\(path)[\(index)]") else { continue }
            if !ids.insert(id(item)).inserted { fail("\(path)[\(index)].id", itemNode, "\(kind) id '\(id(item))' is used twice in this camera") }
            result.append(item)
        }
        return result
    }

    /// Limits that keep reading a configuration linear and its memory bounded: far above
    /// any real camera, far below what makes a worker slow to start.
    static let mostZones = 256
    static let mostLines = 256
    static let mostPolygonPoints = 256

    mutating func line(_ node: Node, _ path: String) -> LineSettings? {
        guard let fields = mapping(node, path, allowed: ["id", "from", "to", "names", "min_distance", "flow_interval"]) else { return nil }
        let id = required(fields, "id", path, node).flatMap { string($0, path + ".id") }
        let from = required(fields, "from", path, node).flatMap { point($0, path + ".from") }
        let to = required(fields, "to", path, node).flatMap { point($0, path + ".to") }
        var aToB = "a_to_b", bToA = "b_to_a"
        if let namesNode = fields["names"], let names = mapping(namesNode, path + ".names", allowed: ["a_to_b", "b_to_a"]) {
            if let node = names["a_to_b"], let text = string(node, path + ".names.a_to_b") { aToB = text }
            if let node = names["b_to_a"], let text = string(node, path + ".names.b_to_a") { bToA = text }
            if aToB == bToA { fail(path + ".names", namesNode, "the two directions need different names") }
        }
        var minimumDistance = 0.015, flowInterval = 60.0
        if let node = fields["min_distance"], let value = number(node, path + ".min_distance") {
            if value >= 0 && value < 0.5 { minimumDistance = value } else { fail(path + ".min_distance", node, "must be a fraction of the frame height from 0 to 0.5, found \(value)") }
        }
        if let node = fields["flow_interval"], let value = number(node, path + ".flow_interval") {
            if value >= 1 { flowInterval = value } else { fail(path + ".flow_interval", node, "must be at least 1 second, found \(value)") }
        }
        guard let id, let from, let to else { return nil }
        if from == to { fail(path + ".to", fields["to"], "a line needs two different end points"); return nil }
        var line = LineSettings(id: id, from: from, to: to, aToBName: aToB, bToAName: bToA)
        line.minimumDistance = minimumDistance
        line.flowInterval = flowInterval
        return line
    }

    /// A homography through four points needs no three of them on one line.
    static func hasThreeInLine(_ points: [NormalizedPoint]) -> Bool {
        for skip in points.indices {
            let rest = points.indices.filter { $0 != skip }.map { points[$0] }
            if abs(twiceSignedArea(rest)) < 1e-9 { return true }
        }
        return false
    }

    static func twiceSignedArea(_ points: [NormalizedPoint]) -> Double {
        var area = 0.0
        for i in 0..<points.count {
            let a = points[i], b = points[(i + 1) % points.count]
            area += a.x * b.y - b.x * a.y
        }
        return area
    }

    static func schedule(_ text: String) -> DailySchedule? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let start = minute(parts[0]), let end = minute(parts[1]), start != end else { return nil }
        return DailySchedule(startMinute: start, endMinute: end)
    }

    private static func minute(_ text: Substring) -> Int? {
        let pieces = text.trimmingCharacters().split(separator: ":")
        guard pieces.count == 2, let hours = Int(pieces[0]), let minutes = Int(pieces[1]),
              (0...24).contains(hours), (0...59).contains(minutes), hours * 60 + minutes <= 24 * 60 else { return nil }
        return hours * 60 + minutes
    }
}

private extension Substring {
    func trimmingCharacters() -> Substring {
        var result = self
        while result.first == " " { result.removeFirst() }
        while result.last == " " { result.removeLast() }
        return result
    }
}
