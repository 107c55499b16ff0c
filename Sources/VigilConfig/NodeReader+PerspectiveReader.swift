import Yams

/// A camera's `perspective:` (a person's height at two rows).
extension NodeReader {
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

}
