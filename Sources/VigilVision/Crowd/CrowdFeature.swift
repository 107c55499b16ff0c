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

    /// Features whose value without people is not zero.
    public var needsIntercept: Bool { self == .scene }
}
