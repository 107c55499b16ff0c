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
        guard let fields = mapping(root, "", allowed: ["queue", "service", "console", "forward", "cameras"]) else { return configuration }
        if let consoleNode = fields["console"] { configuration.console = console(consoleNode, "console") }
        if let forwardNode = fields["forward"] { configuration.forward = forward(forwardNode, "forward") }
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
}

extension Substring {
    func trimmingCharacters() -> Substring {
        var result = self
        while result.first == " " { result.removeFirst() }
        while result.last == " " { result.removeLast() }
        return result
    }
}
