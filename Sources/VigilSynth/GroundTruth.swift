import VigilVision

/// A line crossing in the ground truth: the anchor of object `objectID` passed
/// through line `lineID` between frame `frame - 1` and `frame`.
public struct LineCrossing: Sendable, Equatable, Codable {
    public enum Direction: String, Sendable, Codable { case aToB = "a_to_b", bToA = "b_to_a" }
    public var frame: Int
    public var objectID: Int
    public var lineID: String
    public var direction: Direction
}

extension SceneSpec {
    /// Every crossing of every counting line, in frame order. Anchors are taken in
    /// scene coordinates (without camera shake), so shake never makes a crossing.
    /// An anchor that lands exactly on a line counts when it leaves to the other side.
    public func lineCrossings() -> [LineCrossing] {
        var crossings: [LineCrossing] = []
        for line in lines {
            for object in objects {
                var lastSide: LineSegment.Side? = nil
                var lastPoint: Point? = nil
                for frame in object.firstFrame...object.lastFrame {
                    guard let anchor = object.anchor(at: frame) else { continue }
                    let side = line.segment.side(of: anchor)
                    guard side != .on else { continue }
                    if let previousSide = lastSide, let previousPoint = lastPoint, previousSide != side,
                       line.segment.isCrossed(from: previousPoint, to: anchor) {
                        crossings.append(LineCrossing(frame: frame, objectID: object.id, lineID: line.id,
                                                      direction: previousSide == .a ? .aToB : .bToA))
                    }
                    lastSide = side
                    lastPoint = anchor
                }
            }
        }
        return crossings.sorted { ($0.frame, $0.objectID, $0.lineID) < ($1.frame, $1.objectID, $1.lineID) }
    }
}
