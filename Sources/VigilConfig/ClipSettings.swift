/// Event clips of one camera (`clips:`): the compressed video from `pre` seconds before an
/// alarm to `post` seconds after its end, copied into a file without decoding.
public struct ClipSettings: Sendable, Equatable {
    /// The event types a camera can raise as alarms (VigilEvents' names; this module does not
    /// see that type, a test keeps the lists equal): the default `types`.
    public static let alarmTypes = ["congestion", "stopped_vehicle", "wrong_way", "intrusion", "loitering", "abandoned_object",
                                    "crowd_level", "crowd_gathering", "crowd_running", "tamper"]
    /// Types that may be named although they are not alarms by default.
    public static let otherTypes = ["motion", "line_crossing", "traffic_flow"]

    /// Event types that start a clip.
    public var types = ClipSettings.alarmTypes
    /// Seconds of video before the event (from the keyframe at or before that time).
    public var pre = 5.0
    /// Seconds after the event's end.
    public var post = 10.0
    /// Longest clip in seconds; an event that lasts longer gets its first `longest` seconds.
    public var longest = 120.0
    /// Bound on the memory holding the pre-roll's compressed packets, in MiB.
    public var ringMiB = 64.0
    /// Free space kept for events on the queue's disk, in MiB: below it clips stop (and say why).
    public var reserveMiB = 64.0

    public static let preRange = 0.0...60.0
    public static let postRange = 0.0...600.0
    public static let longestRange = 1.0...3600.0
    public static let ringMiBRange = 1.0...1024.0
    public static let reserveMiBRange = 0.0...1_048_576.0

    public init() {}
}
