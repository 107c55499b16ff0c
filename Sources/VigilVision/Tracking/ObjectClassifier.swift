/// What a track is, as far as size, shape and speed can tell without a neural network.
public enum ObjectClass: String, Sendable, Codable, CaseIterable, Equatable {
    case person, vehicle, unknown
}

/// Thresholds that decide a track's class from its box relative to the camera's
/// perspective (a person's height at the box's feet), its shape and its speed.
/// Loaded from a model file (Models/classes.json); the defaults here are the same values.
public struct ObjectClassifier: Sendable, Codable, Equatable {
    /// With a perspective: a person's box is this many person heights tall…
    public var personHeightRatio: ClosedRange<Double> = 0.5...1.8
    /// …no wider than this fraction of its height…
    public var personMaxWidthToHeight: Double = 0.9
    /// …and slower than this many person heights per second (a sprinting person).
    public var personMaxSpeed: Double = 4
    /// With a perspective: a vehicle is at least this many person heights wide, or its box
    /// covers at least `vehicleMinArea` person boxes (a person box is 0.4 × 1 height²).
    public var vehicleMinWidth: Double = 0.9
    public var vehicleMinArea: Double = 2.5
    /// Without a perspective only the shape can speak: taller than wide by this factor is
    /// a person; wider than tall, and larger than this fraction of the frame, a vehicle.
    public var fallbackPersonMinHeightToWidth: Double = 1.6
    public var fallbackVehicleMaxHeightToWidth: Double = 1.0
    public var fallbackVehicleMinAreaFraction: Double = 0.004
    /// Votes (one per measured frame) the leading class needs before it is reported.
    public var minimumVotes: Int = 3

    public init() {}

    enum CodingKeys: String, CodingKey {
        case personHeightRatio = "person_height_ratio", personMaxWidthToHeight = "person_max_width_to_height"
        case personMaxSpeed = "person_max_speed", vehicleMinWidth = "vehicle_min_width", vehicleMinArea = "vehicle_min_area"
        case fallbackPersonMinHeightToWidth = "fallback_person_min_height_to_width"
        case fallbackVehicleMaxHeightToWidth = "fallback_vehicle_max_height_to_width"
        case fallbackVehicleMinAreaFraction = "fallback_vehicle_min_area_fraction"
        case minimumVotes = "minimum_votes"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ObjectClassifier()
        func value(_ key: CodingKeys, _ fallback: Double) throws -> Double { try container.decodeIfPresent(Double.self, forKey: key) ?? fallback }
        if let range = try container.decodeIfPresent([Double].self, forKey: .personHeightRatio) {
            guard range.count == 2, range[0] > 0, range[0] < range[1] else {
                throw DecodingError.dataCorruptedError(forKey: .personHeightRatio, in: container, debugDescription: "needs [low, high] with 0 < low < high")
            }
            personHeightRatio = range[0]...range[1]
        }
        personMaxWidthToHeight = try value(.personMaxWidthToHeight, defaults.personMaxWidthToHeight)
        personMaxSpeed = try value(.personMaxSpeed, defaults.personMaxSpeed)
        vehicleMinWidth = try value(.vehicleMinWidth, defaults.vehicleMinWidth)
        vehicleMinArea = try value(.vehicleMinArea, defaults.vehicleMinArea)
        fallbackPersonMinHeightToWidth = try value(.fallbackPersonMinHeightToWidth, defaults.fallbackPersonMinHeightToWidth)
        fallbackVehicleMaxHeightToWidth = try value(.fallbackVehicleMaxHeightToWidth, defaults.fallbackVehicleMaxHeightToWidth)
        fallbackVehicleMinAreaFraction = try value(.fallbackVehicleMinAreaFraction, defaults.fallbackVehicleMinAreaFraction)
        minimumVotes = try container.decodeIfPresent(Int.self, forKey: .minimumVotes) ?? defaults.minimumVotes
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode([personHeightRatio.lowerBound, personHeightRatio.upperBound], forKey: .personHeightRatio)
        try container.encode(personMaxWidthToHeight, forKey: .personMaxWidthToHeight)
        try container.encode(personMaxSpeed, forKey: .personMaxSpeed)
        try container.encode(vehicleMinWidth, forKey: .vehicleMinWidth)
        try container.encode(vehicleMinArea, forKey: .vehicleMinArea)
        try container.encode(fallbackPersonMinHeightToWidth, forKey: .fallbackPersonMinHeightToWidth)
        try container.encode(fallbackVehicleMaxHeightToWidth, forKey: .fallbackVehicleMaxHeightToWidth)
        try container.encode(fallbackVehicleMinAreaFraction, forKey: .fallbackVehicleMinAreaFraction)
        try container.encode(minimumVotes, forKey: .minimumVotes)
    }

    /// One frame's vote for a box (analysis pixels) moving at `speed` pixels per second.
    public func vote(box: Box, speed: Double, frameWidth: Int, frameHeight: Int, perspective: PerspectiveScale?) -> ObjectClass {
        guard box.width > 0 && box.height > 0 else { return .unknown }
        if let perspective {
            let feet = (box.y + box.height) / Double(frameHeight)
            let person = perspective.personHeight(atY: feet) * Double(frameHeight)
            guard person > 0 else { return .unknown }
            let tall = box.height / person, wide = box.width / person
            if wide >= vehicleMinWidth || box.area / (0.4 * person * person) >= vehicleMinArea { return .vehicle }
            if personHeightRatio.contains(tall) && box.width <= personMaxWidthToHeight * box.height && speed / person <= personMaxSpeed {
                return .person
            }
            return .unknown
        }
        let heightToWidth = box.height / box.width
        if heightToWidth >= fallbackPersonMinHeightToWidth { return .person }
        if heightToWidth <= fallbackVehicleMaxHeightToWidth && box.area >= fallbackVehicleMinAreaFraction * Double(frameWidth * frameHeight) {
            return .vehicle
        }
        return .unknown
    }
}
