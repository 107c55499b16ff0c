/// One moving object followed across frames, in analysis-frame pixels.
public struct Track: Sendable, Equatable {
    /// Stable for the track's life; ids are never reused within a tracker.
    public let id: Int
    /// Current estimate of the object's box (the measured box when this frame had one).
    public internal(set) var box: Box
    /// Estimated velocity of the box centre in pixels per second.
    public internal(set) var velocity: Point
    /// Class by majority of per-frame votes; `.unknown` until one class has enough votes.
    public internal(set) var objectClass: ObjectClass = .unknown
    /// Seen in enough consecutive frames to be reported (tentative tracks are noise until then).
    public internal(set) var isConfirmed = false
    /// No blob of its own this frame: merged with another object, hidden, or lost.
    public internal(set) var isCoasting = false
    /// While coasting: whether the mask held foreground where it is predicted (true when no mask was given).
    var coastSupported = true
    /// Frames with a measurement, and consecutive frames without one.
    public internal(set) var hits = 1
    public internal(set) var misses = 0
    public let firstSeen: Double
    /// Time of the last frame with a measurement.
    public internal(set) var lastSeen: Double

    var x: KalmanAxis
    var y: KalmanAxis
    /// Class votes, fading by 3 % per measured frame so the class follows what the track is
    /// now (a person who puts a bag down and walks on can leave their track on the bag).
    var votes: (person: Double, vehicle: Double, unknown: Double) = (0, 0, 0)
    /// Largest box area of the track's own blob (before any absorbed fragments), fading
    /// with time: how big the object has shown itself to be lately. Fragments may fill that
    /// extent, but absorbed neighbours never raise it, so it cannot ratchet up.
    var wholeArea: Double
    /// The size map's cell this track last taught (-1: none yet): each pass through a cell
    /// counts once there, so one slow object cannot make a cell's usual size its own.
    var sizeCell = -1
    /// Consecutive measured frames this track's box has lain inside another track's box
    /// of one object's usual size: a piece of that object with a track of its own.
    var insideFrames = 0
    /// What the object has looked like in its recent measurements (nil until measured
    /// with a picture and a mask, or where too little of it was foreground).
    public internal(set) var appearance: Appearance?

    /// The box of the last measurement itself, before smoothing: what lines and zones
    /// test, since smoothing lags an object that changes size (one driving away shrinks).
    public internal(set) var measuredBox: Box
    /// Bottom centre of the last measurement: where the object touches the ground.
    public var anchor: Point { measuredBox.anchor }
    /// The box written and drawn for this frame: a vehicle's measurement, since a vehicle is
    /// rigid and at a low frame rate the smoothed box trails it (tracks F on m30-hd at source
    /// width 0.520 -> 0.540, us101-seq3 0.902 -> 0.908, both with a perspective); anything
    /// else's smoothed box, since a person's mask changes shape with every step (PETS 2009
    /// with measured boxes for everyone: MOTA 0.691 -> 0.664). A coasting track has only its guess.
    public var reportedBox: Box { !isCoasting && objectClass == .vehicle ? measuredBox : box }
    public var speed: Double { (velocity.x * velocity.x + velocity.y * velocity.y).squareRoot() }

    /// `prior` is the velocity objects usually have where this one appears (the local
    /// traffic flow), if known: the track starts with it and a tighter velocity variance.
    init(id: Int, box: Box, pts: Double, prior: Point? = nil) {
        self.id = id
        self.box = box
        measuredBox = box
        velocity = prior ?? Point(x: 0, y: 0)
        firstSeen = pts
        lastSeen = pts
        wholeArea = box.area
        let size = max(box.width, box.height)
        // Unknown velocity at birth: up to about three object sizes per second. With a prior,
        // about one object size per second either side of it.
        let spread = prior == nil ? 9 * size * size : size * size
        x = KalmanAxis(position: box.x + box.width / 2, velocity: prior?.x ?? 0, positionVariance: 4, velocityVariance: spread)
        y = KalmanAxis(position: box.y + box.height / 2, velocity: prior?.y ?? 0, positionVariance: 4, velocityVariance: spread)
    }

    public static func == (lhs: Track, rhs: Track) -> Bool {
        lhs.id == rhs.id && lhs.box == rhs.box && lhs.velocity == rhs.velocity && lhs.objectClass == rhs.objectClass
            && lhs.isConfirmed == rhs.isConfirmed && lhs.isCoasting == rhs.isCoasting && lhs.hits == rhs.hits
            && lhs.misses == rhs.misses && lhs.measuredBox == rhs.measuredBox && lhs.firstSeen == rhs.firstSeen && lhs.lastSeen == rhs.lastSeen
    }
}
