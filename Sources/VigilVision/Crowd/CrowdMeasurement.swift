/// The crowd features of one region in one frame (see `CrowdFeature`).
public struct CrowdMeasurement: Sendable, Equatable, Codable {
    public var area = 0.0
    public var edges = 0.0
    public var blobs = 0.0
    public var units = 0.0
    public var cover = 0.0
    public var texture = 0.0
    public var scene = 0.0
    public init(area: Double = 0, edges: Double = 0, blobs: Double = 0, units: Double = 0, cover: Double = 0, texture: Double = 0, scene: Double = 0) {
        self.area = area; self.edges = edges; self.blobs = blobs; self.units = units
        self.cover = cover; self.texture = texture; self.scene = scene
    }
    public subscript(feature: CrowdFeature) -> Double {
        switch feature {
        case .area: return area
        case .edges: return edges
        case .blobs: return blobs
        case .units: return units
        case .cover: return cover
        case .texture: return texture
        case .scene: return scene
        }
    }
}
