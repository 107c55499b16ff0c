import Yams

/// A camera's counting `lines:`.
extension NodeReader {
    mutating func line(_ node: Node, _ path: String) -> LineSettings? {
        guard let fields = mapping(node, path, allowed: ["id", "from", "to", "names", "min_distance", "flow_interval", "lanes"]) else { return nil }
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
        var lanes: [String] = []
        if let node = fields["lanes"] { lanes = self.lanes(node, path + ".lanes") }
        guard let id, let from, let to else { return nil }
        if from == to { fail(path + ".to", fields["to"], "a line needs two different end points"); return nil }
        var line = LineSettings(id: id, from: from, to: to, aToBName: aToB, bToAName: bToA)
        line.minimumDistance = minimumDistance
        line.flowInterval = flowInterval
        line.lanes = lanes
        return line
    }

    /// `lanes: 3` (named 1, 2, 3) or `lanes: [fast, middle, slow]`, in order from `from` to `to`.
    private mutating func lanes(_ node: Node, _ path: String) -> [String] {
        if case .scalar = node {
            guard let count = integer(node, path) else { return [] }
            guard (1...16).contains(count) else { fail(path, node, "must be 1 to 16 lanes, or a list of lane names, found \(count)"); return [] }
            return (1...count).map(String.init)
        }
        guard let items = sequence(node, path) else { return [] }
        let names = items.enumerated().compactMap { string($0.element, path + "[\($0.offset)]") }
        guard names.count == items.count else { return [] }
        if names.isEmpty || names.count > 16 { fail(path, node, "needs 1 to 16 lane names, found \(names.count)"); return [] }
        if Set(names).count != names.count { fail(path, node, "lane names must differ") ; return [] }
        return names
    }

    /// A homography through four points needs no three of them on one line.
}
