/// The crowd features of one region in one frame (see `CrowdFeature`).
public struct CrowdMeasurement: Sendable, Equatable, Codable {
    public var area = 0.0
    public var edges = 0.0
    public var blobs = 0.0
    public var units = 0.0
    public var cover = 0.0
    public var texture = 0.0
    public var scene = 0.0
    /// `sizes`, per band of blob size (`CrowdFeature.sizeBands`, lanes past them stay 0): the
    /// blobs' area, outline and edges inside, each weighted as `area`, `edges` and `texture`.
    public var sizeArea = SIMD8<Double>()
    public var sizeOutline = SIMD8<Double>()
    public var sizeTexture = SIMD8<Double>()
    public init(area: Double = 0, edges: Double = 0, blobs: Double = 0, units: Double = 0, cover: Double = 0, texture: Double = 0, scene: Double = 0) {
        self.area = area; self.edges = edges; self.blobs = blobs; self.units = units
        self.cover = cover; self.texture = texture; self.scene = scene
    }

    /// Column `column` of `feature` (0 ..< `feature.columns`).
    public func value(_ feature: CrowdFeature, column: Int = 0) -> Double {
        switch feature {
        case .area: return area
        case .edges: return edges
        case .blobs: return blobs
        case .units: return units
        case .cover: return cover
        case .texture: return texture
        case .scene: return scene
        case .sizes:
            let bands = CrowdFeature.sizeBands.count
            switch column / bands {
            case 0: return sizeArea[column % bands]
            case 1: return sizeOutline[column % bands]
            default: return sizeTexture[column % bands]
            }
        }
    }
}
