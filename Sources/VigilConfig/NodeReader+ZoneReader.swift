import Yams

/// A camera's `zones:` with their rules, polygons and schedules.
extension NodeReader {
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
