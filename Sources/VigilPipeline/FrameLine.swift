import VigilAnalytics

/// One line of `--frames-out`: what was measured on one analysed frame. Encoded with
/// JSONEncoder, so a zone id with a quote or a backslash still makes valid JSON.
struct FrameLine: Encodable {
    var frame: Int
    var pts: Double
    /// Fraction of the frame in motion; nil when no motion analysis ran.
    var motion: Double?
    /// Fraction of each zone in motion, by zone id.
    var zones: [String: Double]?
    /// People estimated in the frame and per zone.
    var people: Double?
    var zonePeople: [String: Double]?
    /// Objects by class (confirmed tracks) in the frame and per zone; nil without tracking.
    var objects: ObjectCensus.Counts?
    var zoneObjects: [String: ObjectCensus.Counts]?

    enum CodingKeys: String, CodingKey {
        case frame, pts, motion, zones, people, objects
        case zonePeople = "zone_people"
        case zoneObjects = "zone_objects"
    }
}
