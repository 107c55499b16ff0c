/// What the estimator measures in a region, each in person units through the perspective.
public enum CrowdFeature: String, Sendable, Codable, CaseIterable {
    /// Foreground pixels, each weighted by 1 / the area of a person standing there.
    case area
    /// Foreground outline pixels, each weighted by 1 / a person's outline there: grows with
    /// the number of people even where their silhouettes merge.
    case edges
    /// Moving regions at least a fifth of a person's size.
    case blobs
    /// The same regions as people: each counts one, or its area in person units when it is
    /// bigger than one person (a group).
    case units
    /// Foreground area corrected for people hiding one another: in each person-sized cell a
    /// covered fraction f stands for −ln(1 − f) cells of bodies (people dropped at random
    /// overlap, so a half-covered cell holds 0.69 of a cell of people, a nine-tenths covered
    /// one 2.3), in person areas. Equals `area` where people stand apart.
    case cover
    /// Edges of the picture inside the foreground (brightness steps between neighbours), per
    /// person outline: the arms, bags and heads inside a merged group, which its outline misses.
    case texture
    /// Edges of the picture anywhere in the region, moving or not, per person outline: people
    /// who stand or sit still add edges after the motion model has let them go; the
    /// background's own edges make a constant, so a model with `scene` needs an intercept.
    case scene
    /// `area`, `edges` and `texture` of the moving regions, each split by the region's size
    /// into `sizeBands` (18 columns, one coefficient each), in the manner of Ryan et al.'s and
    /// Kong et al.'s blob features: a piece under half a person is most often a person the
    /// mask sees only in part (a sitter's arms), a region of several people hides some of them,
    /// and one line through the frame's totals weighs both alike.
    case sizes

    /// The bands of `sizes`: a region's area in person areas falls in the first band whose
    /// upper end is above it.
    public static let sizeBands: [Double] = [0.25, 0.5, 1, 2, 4, .infinity]

    /// Features whose value without people is not zero.
    public var needsIntercept: Bool { self == .scene }

    /// The coefficients the feature takes in a model.
    public var columns: Int { self == .sizes ? 3 * Self.sizeBands.count : 1 }

    /// The band of `sizes` a region of `personAreas` falls in.
    public static func sizeBand(personAreas: Double) -> Int {
        sizeBands.firstIndex { personAreas < $0 } ?? sizeBands.count - 1
    }
}
