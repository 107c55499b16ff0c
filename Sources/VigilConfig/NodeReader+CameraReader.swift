import Yams

/// One camera: `cameras[i]` with its analysis, motion, tracking, tamper and ground settings.
extension NodeReader {
    mutating func camera(_ node: Node, _ path: String) -> CameraSettings? {
        guard let fields = mapping(node, path, allowed: ["id", "name", "group", "host", "source", "analysis", "perspective", "model", "classes_model", "zones", "lines", "motion", "tamper", "ground", "tracking", "metrics_port", "rtsp_transport", "clips"]) else { return nil }
        let idNode = required(fields, "id", path, node)
        let sourceNode = required(fields, "source", path, node)
        let id = idNode.flatMap { string($0, path + ".id") }
        var recordSource: String? = nil
        var source: String? = nil
        if let sourceNode, case .mapping = sourceNode {
            // An IP camera's two streams: a small one to analyse, the main one to record.
            if let streams = mapping(sourceNode, path + ".source", allowed: ["analysis", "record"]) {
                source = required(streams, "analysis", path + ".source", sourceNode).flatMap { string($0, path + ".source.analysis") }
                recordSource = streams["record"].flatMap { string($0, path + ".source.record") }
            }
        } else {
            source = sourceNode.flatMap { string($0, path + ".source") }
        }
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
        var threshold: Int?
        var thresholdRise: Double?
        if let motionNode = fields["motion"],
           let motionFields = mapping(motionNode, path + ".motion", allowed: ["ignore", "shadows", "model", "threshold", "threshold_rise"]) {
            if let node = motionFields["model"], let value = string(node, path + ".motion.model") {
                if CameraSettings.motionModels.contains(value) { motionModel = value }
                else { fail(path + ".motion.model", node, "expected \(CameraSettings.motionModels.joined(separator: " or ")), found '\(value)'") }
            }
            if let ignoreNode = motionFields["ignore"], let polygons = sequence(ignoreNode, path + ".motion.ignore") {
                for (index, polygonNode) in polygons.enumerated() {
                    if let polygon = polygon(polygonNode, "\(path).motion.ignore[\(index)]") { ignore.append(polygon) }
                }
            }
            if let node = motionFields["shadows"], let value = boolean(node, path + ".motion.shadows") {
                shadows = value
                // Only the adaptive model removes shadows: asked of any other, the setting
                // would do nothing without a word (and the default model is not adaptive).
                if value && motionModel != "adaptive" {
                    fail(path + ".motion.shadows", node, "cast-shadow removal is part of the adaptive motion model: add `model: adaptive` beside it, or remove it")
                }
            }
            if let node = motionFields["threshold"], let value = integer(node, path + ".motion.threshold") {
                threshold = consensusSetting(value, in: CameraSettings.motionThresholds, unit: "grey levels", model: motionModel,
                                             node: node, path: path + ".motion.threshold", what: "the threshold")
            }
            if let node = motionFields["threshold_rise"], let value = number(node, path + ".motion.threshold_rise") {
                thresholdRise = consensusSetting(value, in: CameraSettings.motionThresholdRises, unit: "a factor", model: motionModel,
                                                 node: node, path: path + ".motion.threshold_rise", what: "threshold_rise")
            }
        }
        guard let id, let source else { return nil }
        var camera = CameraSettings(id: id, source: source, analysis: analysis, perspective: perspective, model: model, zones: zones, lines: lines)
        camera.classesModel = classesModel
        camera.recordSource = recordSource
        camera.name = fields["name"].flatMap { string($0, path + ".name") }
        camera.group = fields["group"].flatMap { string($0, path + ".group") }
        if let node = fields["host"], let host = string(node, path + ".host") {
            if ForwardSettings.isSiteName(host) { camera.host = host }
            else { fail(path + ".host", node, "a host name uses letters, digits, '-', '_' or '.', found '\(host)'") }
        }
        camera.motionIgnore = ignore
        camera.suppressShadows = shadows
        camera.motionModel = motionModel
        camera.motionThreshold = threshold
        camera.motionThresholdRise = thresholdRise
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
        if let trackingNode = fields["tracking"], let trackingFields = mapping(trackingNode, path + ".tracking", allowed: ["split_groups", "split_vehicles"]) {
            if let node = trackingFields["split_groups"], let value = boolean(node, path + ".tracking.split_groups") {
                if value && perspective == nil { fail(path + ".tracking.split_groups", node, "needs the camera's perspective (a person's height at two rows)") }
                camera.splitGroups = value
            }
            if let node = trackingFields["split_vehicles"], let value = boolean(node, path + ".tracking.split_vehicles") {
                camera.splitVehicles = value
            }
        }
        if let tamperNode = fields["tamper"], let tamperFields = mapping(tamperNode, path + ".tamper", allowed: ["enabled", "seconds"]) {
            if let node = tamperFields["enabled"], let value = boolean(node, path + ".tamper.enabled") { camera.tamperEnabled = value }
            if let node = tamperFields["seconds"], let value = positive(node, path + ".tamper.seconds") { camera.tamperSeconds = value }
        }
        if let clipsNode = fields["clips"] { camera.clips = clips(clipsNode, path + ".clips") }
        return camera
    }

    /// `clips:` — an empty mapping (`clips: {}`) records with every default.
    mutating func clips(_ node: Node, _ path: String) -> ClipSettings? {
        if case .scalar(let scalar) = node, ["", "~", "null"].contains(scalar.string) { return ClipSettings() }
        guard let fields = mapping(node, path, allowed: ["types", "pre", "post", "longest", "ring_mib", "reserve_mib"]) else { return nil }
        var settings = ClipSettings()
        if let typesNode = fields["types"], let items = sequence(typesNode, path + ".types") {
            var types: [String] = []
            let known = ClipSettings.alarmTypes + ClipSettings.otherTypes
            for (index, item) in items.enumerated() {
                guard let name = string(item, "\(path).types[\(index)]") else { continue }
                if known.contains(name) { if !types.contains(name) { types.append(name) } }
                else { fail("\(path).types[\(index)]", item, "expected one of \(known.joined(separator: ", ")), found '\(name)'") }
            }
            settings.types = types
        }
        func bounded(_ key: String, _ range: ClosedRange<Double>) -> Double? {
            guard let node = fields[key], let value = number(node, path + "." + key) else { return nil }
            guard range.contains(value) else {
                fail(path + "." + key, node, "must be between \(Self.plain(range.lowerBound)) and \(Self.plain(range.upperBound)), found \(Self.plain(value))")
                return nil
            }
            return value
        }
        if let value = bounded("pre", ClipSettings.preRange) { settings.pre = value }
        if let value = bounded("post", ClipSettings.postRange) { settings.post = value }
        if let value = bounded("longest", ClipSettings.longestRange) { settings.longest = value }
        if let value = bounded("ring_mib", ClipSettings.ringMiBRange) { settings.ringMiB = value }
        if let value = bounded("reserve_mib", ClipSettings.reserveMiBRange) { settings.reserveMiB = value }
        return settings
    }

    static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e12 ? String(Int(value)) : String(value)
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

    /// A setting of the consensus model's: within `range`, and refused beside `model: adaptive`,
    /// which has no such setting and would ignore it without a word.
    private mutating func consensusSetting<Value: Comparable>(_ value: Value, in range: ClosedRange<Value>, unit: String, model: String?,
                                                              node: Node, path: String, what: String) -> Value? {
        guard range.contains(value) else {
            fail(path, node, "expected \(unit) from \(range.lowerBound) to \(range.upperBound), found \(value)")
            return nil
        }
        guard model != "adaptive" else {
            fail(path, node, "\(what) belongs to the consensus motion model: remove `model: adaptive` beside it, or remove \(what)")
            return nil
        }
        return value
    }
}
