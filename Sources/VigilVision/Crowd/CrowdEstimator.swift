/// A people-count model: `people = intercept + Σ coefficient × feature`, never below 0.
/// The default works from the camera's perspective alone; `vigil calibrate` fits one to a
/// user's annotated frames. Stored as JSON (kind `vigil-crowd-model`, version 1).
public struct CrowdModel: Sendable, Codable, Equatable {
    public struct Training: Sendable, Codable, Equatable {
        public var clip: String
        public var frames: [Int]
        public var annotations: String
        /// Mean absolute error over the training frames, and per frame in leave-one-out
        /// cross-validation (the honest figure: each frame predicted by a fit without it).
        public var meanAbsoluteError: Double
        public var leaveOneOutError: Double?
        public var ridge: Double
        public init(clip: String, frames: [Int], annotations: String, meanAbsoluteError: Double, leaveOneOutError: Double?, ridge: Double) {
            self.clip = clip; self.frames = frames; self.annotations = annotations
            self.meanAbsoluteError = meanAbsoluteError; self.leaveOneOutError = leaveOneOutError; self.ridge = ridge
        }
    }

    public var kind = "vigil-crowd-model"
    public var version = 1
    public var features: [CrowdFeature]
    public var coefficients: [Double]
    public var intercept: Double
    public var training: Training?

    public init(features: [CrowdFeature], coefficients: [Double], intercept: Double, training: Training? = nil) {
        precondition(features.count == coefficients.count)
        self.features = features; self.coefficients = coefficients; self.intercept = intercept; self.training = training
    }

    /// People as moving regions in person-sized units: one per region where people walk
    /// apart, whatever their exact size; a group's area in person units where they merge,
    /// an undercount where they hide each other (calibration corrects that).
    public static let perspectiveOnly = CrowdModel(features: [.units], coefficients: [1], intercept: 0)

    public func people(_ measured: CrowdMeasurement) -> Double {
        var total = intercept
        for (feature, coefficient) in zip(features, coefficients) { total += coefficient * measured[feature] }
        return max(0, total)
    }
}

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
}

public struct CrowdMeasurement: Sendable, Equatable {
    public var area = 0.0
    public var edges = 0.0
    public var blobs = 0.0
    public var units = 0.0
    public init(area: Double = 0, edges: Double = 0, blobs: Double = 0, units: Double = 0) {
        self.area = area; self.edges = edges; self.blobs = blobs; self.units = units
    }
    public subscript(feature: CrowdFeature) -> Double {
        switch feature {
        case .area: return area
        case .edges: return edges
        case .blobs: return blobs
        case .units: return units
        }
    }
}

/// Estimates people in the whole frame and in zones from a foreground mask (and its blobs).
/// A per-row weight map makes a far person count as much as a near one: each foreground
/// pixel adds 1 / (the pixels a person covers at that row). Standing people keep counting
/// because the motion model learns foreground only very slowly. Zones beyond the 64th of a
/// camera get no estimate.
public struct CrowdEstimator: Sendable {
    public var model: CrowdModel
    public let perspective: PerspectiveScale?
    /// Person height (fraction of the frame) assumed everywhere without a perspective.
    public static let defaultPersonHeight = 0.2
    private var width = 0
    private var height = 0
    private var areaWeight: [Double] = []
    private var edgeWeight: [Double] = []
    private var minimumBlobArea: [Double] = []
    /// Per pixel, bit z set when the pixel lies in zone z (the first 64 zones).
    private var membership: [UInt64] = []
    private var zoneMaskCount = -1
    private var zoneArea: [Int] = []
    private var zoneEdges: [Int] = []
    /// Slot 0 is the whole frame, then one per zone; reused every frame.
    public private(set) var measurements: [CrowdMeasurement] = []
    /// People per slot, as `measurements`; reused every frame.
    public private(set) var estimates: [Double] = []

    public init(model: CrowdModel = .perspectiveOnly, perspective: PerspectiveScale?) {
        self.model = model
        self.perspective = perspective
    }

    /// Person height in pixels for a pixel at `row` that belongs to a person: the person's
    /// feet are about half a height lower than the middle of their body.
    func personPixels(row: Int) -> Double {
        let y = (Double(row) + 0.5) / Double(height)
        guard let perspective else { return Self.defaultPersonHeight * Double(height) }
        let feet = y + perspective.personHeight(atY: y) / 2
        return perspective.personHeight(atY: feet) * Double(height)
    }

    private mutating func prepare(width: Int, height: Int, zones: [ZoneMask]) {
        if width != self.width || height != self.height {
            self.width = width
            self.height = height
            areaWeight = (0..<height).map { row in
                let pixels = personPixels(row: row)
                return 1 / max(1, 0.35 * pixels * pixels)
            }
            edgeWeight = (0..<height).map { row in 1 / max(1, 2.5 * personPixels(row: row)) }
            minimumBlobArea = (0..<height).map { row in 0.2 * 0.35 * personPixels(row: row) * personPixels(row: row) }
        }
        if zoneMaskCount != zones.count || membership.count != width * height {
            zoneMaskCount = zones.count
            membership = Array(repeating: 0, count: width * height)
            for (z, zone) in zones.prefix(64).enumerated() where zone.bits.count == membership.count {
                for index in zone.bits.indices where zone.bits[index] != 0 { membership[index] |= UInt64(1) << UInt64(z) }
            }
            zoneArea = Array(repeating: 0, count: min(zones.count, 64))
            zoneEdges = zoneArea
        }
        if measurements.count != zones.count + 1 {
            measurements = Array(repeating: CrowdMeasurement(), count: zones.count + 1)
            estimates = Array(repeating: 0, count: zones.count + 1)
        }
    }

    /// Measures the mask; returns people estimates (slot 0 the whole frame, then the zones).
    public mutating func estimate(mask: GrayImage, blobs: [Blob], zones: [ZoneMask]) -> [Double] {
        prepare(width: mask.width, height: mask.height, zones: zones)
        for index in measurements.indices { measurements[index] = CrowdMeasurement() }
        let width = self.width, height = self.height
        // Counts per row in integers, weighted once per row: the per-pixel work is a few
        // compares and increments.
        var frameArea = 0.0, frameEdges = 0.0
        mask.pixels.withUnsafeBufferPointer { pixels in
            membership.withUnsafeBufferPointer { membership in
                zoneArea.withUnsafeMutableBufferPointer { zoneArea in
                    zoneEdges.withUnsafeMutableBufferPointer { zoneEdges in
                        for y in 0..<height {
                            let row = y * width
                            var rowArea = 0, rowEdges = 0
                            var x = -1
                            while true {
                                x += 1
                                // Most of a mask is background: step over eight empty bytes at a time.
                                while x + 8 <= width && UnsafeRawPointer(pixels.baseAddress! + row + x).loadUnaligned(as: UInt64.self) == 0 { x += 8 }
                                guard x < width else { break }
                                guard pixels[row + x] != 0 else { continue }
                                let index = row + x
                                let outline = x == 0 || x == width - 1 || y == 0 || y == height - 1
                                    || pixels[index - 1] == 0 || pixels[index + 1] == 0 || pixels[index - width] == 0 || pixels[index + width] == 0
                                rowArea += 1
                                if outline { rowEdges += 1 }
                                var bits = membership[index]
                                while bits != 0 {
                                    let zone = bits.trailingZeroBitCount
                                    bits &= bits - 1
                                    zoneArea[zone] += 1
                                    if outline { zoneEdges[zone] += 1 }
                                }
                            }
                            guard rowArea > 0 else { continue }
                            frameArea += Double(rowArea) * areaWeight[y]
                            frameEdges += Double(rowEdges) * edgeWeight[y]
                            for zone in 0..<zoneArea.count where zoneArea[zone] > 0 {
                                measurements[zone + 1].area += Double(zoneArea[zone]) * areaWeight[y]
                                measurements[zone + 1].edges += Double(zoneEdges[zone]) * edgeWeight[y]
                                zoneArea[zone] = 0
                                zoneEdges[zone] = 0
                            }
                        }
                    }
                }
            }
        }
        measurements[0].area = frameArea
        measurements[0].edges = frameEdges
        for blob in blobs {
            let box = blob.box
            let footRow = min(height - 1, max(0, Int(box.y + box.height) - 1))
            guard Double(blob.area) >= minimumBlobArea[footRow] else { continue }
            let centreRow = min(height - 1, max(0, Int(blob.centroid.y)))
            let units = max(1, Double(blob.area) * areaWeight[centreRow])
            measurements[0].blobs += 1
            measurements[0].units += units
            let footX = min(width - 1, max(0, Int(box.x + box.width / 2)))
            var bits = membership[footRow * width + footX]
            while bits != 0 {
                measurements[bits.trailingZeroBitCount + 1].blobs += 1
                measurements[bits.trailingZeroBitCount + 1].units += units
                bits &= bits - 1
            }
        }
        for index in measurements.indices { estimates[index] = model.people(measurements[index]) }
        return estimates
    }
}
