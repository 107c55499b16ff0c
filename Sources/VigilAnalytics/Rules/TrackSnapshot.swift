import VigilVision

/// What the zone rules read of a track in one frame. A plain value, so each rule can be
/// tested with hand-made snapshots instead of a rendered scene and a tracker.
public struct TrackSnapshot: Sendable, Equatable {
    public var id: Int
    public var objectClass: ObjectClass
    /// The track's (smoothed) box and its velocity, in analysis pixels and pixels per second.
    public var box: Box
    public var velocity: Point
    /// Where the last measurement touches the ground (what zones test).
    public var anchor: Point
    public var isConfirmed: Bool
    /// No measurement this frame: its position is a guess.
    public var isCoasting: Bool
    /// The box an event reports (`Track.reportedBox`: a measured vehicle's measurement, which
    /// the smoothed box trails at a low frame rate), as `--tracks-out` and `--annotate` draw
    /// it. The rules themselves read `box`.
    public var reportedBox: Box

    public init(id: Int, objectClass: ObjectClass, box: Box, velocity: Point = Point(x: 0, y: 0), anchor: Point? = nil,
                isConfirmed: Bool = true, isCoasting: Bool = false, reportedBox: Box? = nil) {
        self.id = id; self.objectClass = objectClass; self.box = box; self.velocity = velocity
        self.reportedBox = reportedBox ?? box
        self.anchor = anchor ?? box.anchor
        self.isConfirmed = isConfirmed; self.isCoasting = isCoasting
    }

    public init(_ track: Track) {
        self.init(id: track.id, objectClass: track.objectClass, box: track.box, velocity: track.velocity, anchor: track.anchor,
                  isConfirmed: track.isConfirmed, isCoasting: track.isCoasting, reportedBox: track.reportedBox)
    }

    public var speed: Double { (velocity.x * velocity.x + velocity.y * velocity.y).squareRoot() }
    /// Speed in its own lengths per second: the same for a car near the camera and far away.
    public var relativeSpeed: Double { speed / max(1, max(box.width, box.height)) }
}
