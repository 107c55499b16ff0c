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

    enum CodingKeys: String, CodingKey {
        case frame, pts, motion, zones, people
        case zonePeople = "zone_people"
    }
}
