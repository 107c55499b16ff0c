/// Estimates people in the whole frame and in zones from a foreground mask (and its blobs),
/// and, given the analysis frame, from the picture's edges.
/// A per-row weight map makes a far person count as much as a near one: each foreground
/// pixel adds 1 / (the pixels a person covers at that row). Standing people keep counting
/// because the motion model learns foreground only very slowly. Zones beyond the 64th of a
/// camera get no estimate.
public struct CrowdEstimator: Sendable {
    public var model: CrowdModel
    public let perspective: PerspectiveScale?
    /// Person height (fraction of the frame) assumed everywhere without a perspective.
    public static let defaultPersonHeight = 0.2
    /// A brightness step between the neighbours on either side (horizontal plus vertical, in
    /// grey levels) that makes a pixel an edge of the picture: a body's outline, and inside a
    /// group the faint folds, hair and bags that tell one person from the next. On the Mall's
    /// training halves, 8 cross-validated best among 4, 8, 12, 16, 24 (the value before) and 40
    /// (held-out MAE of the calibrated model 2.53 / 2.42 at 8 against 2.63 / 2.56 at 24;
    /// BENCHMARKS.md, issue 18).
    public static let edgeStep = 8
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
    private var zoneTexture: [Int] = []
    private var zoneScene: [Int] = []
    /// Person-sized square cells in bands down the frame (for `cover`): each pixel's cell,
    /// each cell's person-area weight, and per slot (frame, then zones) the pixels of each
    /// cell inside the slot and, per frame, how many of them are foreground.
    private var cellOfPixel: [Int32] = []
    private var cellWeight: [Double] = []
    private var cellPixels: [Int32] = []
    private var cellForeground: [Int32] = []
    /// The mask's connected components, for `sizes`, and per root label their area, outline
    /// and edges inside, weighted per row as the frame's are (added by the same passes).
    private var components = BlobExtractor()
    private var componentArea: [Double] = []
    private var componentOutline: [Double] = []
    private var componentTexture: [Double] = []
    /// Slot 0 is the whole frame, then one per zone; reused every frame.
    public private(set) var measurements: [CrowdMeasurement] = []
    /// People per slot, as `measurements`; reused every frame.
    public private(set) var estimates: [Double] = []

    /// Measure every feature whatever the model uses (calibration fits among them all);
    /// otherwise the picture's edges, the costliest pass, only for a model that uses them.
    public var measuresAllFeatures = false

    private var measuresSizes: Bool { measuresAllFeatures || model.features.contains(.sizes) }

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

    private var cellCount: Int { cellWeight.count }

    /// The zones' shapes changed (a live config edit): their pixel membership is rebuilt on
    /// the next frame even when their number stayed the same.
    public mutating func zonesChanged() {
        zoneMaskCount = -1
    }

    private mutating func prepare(width: Int, height: Int, zones: [ZoneMask]) {
        var cellsChanged = false
        if width != self.width || height != self.height {
            self.width = width
            self.height = height
            areaWeight = (0..<height).map { row in
                let pixels = personPixels(row: row)
                return 1 / max(1, 0.35 * pixels * pixels)
            }
            edgeWeight = (0..<height).map { row in 1 / max(1, 2.5 * personPixels(row: row)) }
            minimumBlobArea = (0..<height).map { row in 0.2 * 0.35 * personPixels(row: row) * personPixels(row: row) }
            // Cells as tall and wide as a person there: small enough that a cell's people are
            // about evenly spread, large enough that one person cannot cover a cell alone.
            cellOfPixel = Array(repeating: 0, count: width * height)
            cellWeight = []
            var top = 0
            while top < height {
                let side = max(4, Int(personPixels(row: min(height - 1, top + Int(personPixels(row: top)) / 2)).rounded()))
                let bottom = min(height, top + side)
                let columns = (width + side - 1) / side
                let first = cellWeight.count
                cellWeight += Array(repeating: areaWeight[(top + bottom) / 2], count: columns)
                for y in top..<bottom {
                    for x in 0..<width { cellOfPixel[y * width + x] = Int32(first + x / side) }
                }
                top = bottom
            }
            cellsChanged = true
        }
        if cellsChanged || zoneMaskCount != zones.count || membership.count != width * height {
            zoneMaskCount = zones.count
            membership = Array(repeating: 0, count: width * height)
            for (z, zone) in zones.prefix(64).enumerated() where zone.bits.count == membership.count {
                for index in zone.bits.indices where zone.bits[index] != 0 { membership[index] |= UInt64(1) << UInt64(z) }
            }
            zoneArea = Array(repeating: 0, count: min(zones.count, 64))
            zoneEdges = zoneArea
            zoneTexture = zoneArea
            zoneScene = zoneArea
            let slots = zoneArea.count + 1
            cellPixels = Array(repeating: 0, count: slots * cellCount)
            for index in 0..<(width * height) {
                let cell = Int(cellOfPixel[index])
                cellPixels[cell] += 1
                var bits = membership[index]
                while bits != 0 {
                    cellPixels[(bits.trailingZeroBitCount + 1) * cellCount + cell] += 1
                    bits &= bits - 1
                }
            }
            cellForeground = Array(repeating: 0, count: slots * cellCount)
        }
        if measurements.count != zones.count + 1 {
            measurements = Array(repeating: CrowdMeasurement(), count: zones.count + 1)
            estimates = Array(repeating: 0, count: zones.count + 1)
        }
    }

    /// Measures the mask (and, given the analysis frame the mask was made from, its edges);
    /// returns people estimates (slot 0 the whole frame, then the zones).
    public mutating func estimate(mask: GrayImage, image: GrayImage? = nil, blobs: [Blob], zones: [ZoneMask]) -> [Double] {
        prepare(width: mask.width, height: mask.height, zones: zones)
        for index in measurements.indices { measurements[index] = CrowdMeasurement() }
        for index in cellForeground.indices { cellForeground[index] = 0 }
        let sized = measuresSizes
        if sized { labelComponents(mask) }
        measureMask(mask, sized: sized)
        if let image, image.width == width, image.height == height,
           measuresAllFeatures || model.features.contains(where: { $0 == .texture || $0 == .scene || $0 == .sizes }) {
            measureEdges(image: image, mask: mask, sized: sized, scene: measuresAllFeatures || model.features.contains(.scene))
        }
        measureCover()
        measureBlobs(blobs)
        if sized { measureSizes() }
        for index in measurements.indices { estimates[index] = model.people(measurements[index]) }
        return estimates
    }

    /// Area and outline per slot, and the foreground of every cell.
    /// With `sized`, also each labelled component's area and outline.
    private mutating func measureMask(_ mask: GrayImage, sized: Bool) {
        let width = self.width, height = self.height, cells = cellCount
        // Counts per row in integers, weighted once per row: the per-pixel work is a few
        // compares and increments.
        var frameArea = 0.0, frameEdges = 0.0
        mask.pixels.withUnsafeBufferPointer { pixels in
            membership.withUnsafeBufferPointer { membership in
                cellOfPixel.withUnsafeBufferPointer { cellOfPixel in
                    cellForeground.withUnsafeMutableBufferPointer { foreground in
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
                                        if sized {
                                            let root = components.rootLabel(at: index)
                                            componentArea[root] += areaWeight[y]
                                            if outline { componentOutline[root] += edgeWeight[y] }
                                        }
                                        let cell = Int(cellOfPixel[index])
                                        foreground[cell] += 1
                                        var bits = membership[index]
                                        while bits != 0 {
                                            let zone = bits.trailingZeroBitCount
                                            bits &= bits - 1
                                            zoneArea[zone] += 1
                                            if outline { zoneEdges[zone] += 1 }
                                            foreground[(zone + 1) * cells + cell] += 1
                                        }
                                    }
                                    guard rowArea > 0 else { continue }
                                    frameArea += Double(rowArea) * areaWeight[y]
                                    frameEdges += Double(rowEdges) * edgeWeight[y]
                                    Self.addRow(zoneArea, \.area, weight: areaWeight[y], zoneEdges, \.edges, weight: edgeWeight[y], to: &measurements)
                                }
                            }
                        }
                    }
                }
            }
        }
        measurements[0].area = frameArea
        measurements[0].edges = frameEdges
    }

    /// Edges of the picture per slot: all of them (`scene`) and those in the foreground
    /// (`texture`). Every second pixel of every second row is tested and counts four: an
    /// edge is two pixels wide and a person tens of pixels tall, so the sample loses nothing a
    /// count needs, at a quarter of the cost. The frame's border rows and columns have no
    /// neighbours on both sides and never count.
    private mutating func measureEdges(image: GrayImage, mask: GrayImage, sized: Bool, scene: Bool) {
        let width = self.width, height = self.height
        guard width >= 3, height >= 3 else { return }
        let step = Self.edgeStep
        var frameTexture = 0.0, frameScene = 0.0
        image.pixels.withUnsafeBufferPointer { grey in
            mask.pixels.withUnsafeBufferPointer { pixels in
                membership.withUnsafeBufferPointer { membership in
                    zoneTexture.withUnsafeMutableBufferPointer { zoneTexture in
                        zoneScene.withUnsafeMutableBufferPointer { zoneScene in
                            for y in stride(from: 1, to: height - 1, by: 2) {
                                let row = y * width
                                var rowTexture = 0, rowScene = 0
                                let g = grey.baseAddress!, m = pixels.baseAddress!
                                var index = row + 1
                                let end = row + width - 1
                                while index < end {
                                    defer { index += 2 }
                                    // Without `scene`, only the foreground's edges count.
                                    guard scene || m[index] != 0 else { continue }
                                    let horizontal = Int(g[index + 1]) &- Int(g[index - 1])
                                    let vertical = Int(g[index + width]) &- Int(g[index - width])
                                    guard abs(horizontal) &+ abs(vertical) >= step else { continue }
                                    let moving = m[index] != 0
                                    rowScene &+= 4
                                    if moving {
                                        rowTexture &+= 4
                                        if sized { componentTexture[components.rootLabel(at: index)] += 4 * edgeWeight[y] }
                                    }
                                    var bits = membership[index]
                                    while bits != 0 {
                                        let zone = bits.trailingZeroBitCount
                                        bits &= bits - 1
                                        zoneScene[zone] &+= 4
                                        if moving { zoneTexture[zone] &+= 4 }
                                    }
                                }
                                guard rowScene > 0 else { continue }
                                frameScene += Double(rowScene) * edgeWeight[y]
                                frameTexture += Double(rowTexture) * edgeWeight[y]
                                Self.addRow(zoneScene, \.scene, weight: edgeWeight[y], zoneTexture, \.texture, weight: edgeWeight[y], to: &measurements)
                            }
                        }
                    }
                }
            }
        }
        measurements[0].scene = frameScene
        measurements[0].texture = frameTexture
    }

    /// Adds one row's counts per zone, weighted for the row, to the zones' measurements and
    /// clears them for the next row. `first` is the wider count: where it is 0, so is `second`.
    private static func addRow(_ first: UnsafeMutableBufferPointer<Int>, _ firstFeature: WritableKeyPath<CrowdMeasurement, Double>, weight firstWeight: Double,
                               _ second: UnsafeMutableBufferPointer<Int>, _ secondFeature: WritableKeyPath<CrowdMeasurement, Double>, weight secondWeight: Double,
                               to measurements: inout [CrowdMeasurement]) {
        for zone in 0..<first.count where first[zone] > 0 {
            measurements[zone + 1][keyPath: firstFeature] += Double(first[zone]) * firstWeight
            measurements[zone + 1][keyPath: secondFeature] += Double(second[zone]) * secondWeight
            first[zone] = 0
            second[zone] = 0
        }
    }

    /// −ln(1 − covered fraction) per cell, capped at nine-tenths covered (a mask that fills a
    /// cell says "full", not "infinitely many").
    private mutating func measureCover() {
        let cells = cellCount
        // Zones past the 64th have no cells (and no estimate).
        for slot in 0..<min(measurements.count, zoneArea.count + 1) {
            var total = 0.0
            let base = slot * cells
            for cell in 0..<cells where cellForeground[base + cell] > 0 {
                let inside = Double(cellPixels[base + cell])
                let fraction = min(0.9, Double(cellForeground[base + cell]) / inside)
                total -= inside * cellWeight[cell] * (1 - fraction).ln
            }
            measurements[slot].cover = total
        }
    }

    /// Labels the mask's components and zeroes their sums, which `measureMask` and
    /// `measureEdges` then add to.
    private mutating func labelComponents(_ mask: GrayImage) {
        components.labelComponents(of: mask)
        let labels = components.labelCount
        func zeroed(_ sums: inout [Double]) {
            sums.removeAll(keepingCapacity: true)
            sums.append(contentsOf: repeatElement(0, count: labels))
        }
        zeroed(&componentArea); zeroed(&componentOutline); zeroed(&componentTexture)
    }

    /// Adds each component's area, outline and edges to its band of `sizes`, in the frame and
    /// in the zones its foot (the middle of its bottom row) stands in.
    private mutating func measureSizes() {
        components.forEachComponent { root, stats in
            let band = CrowdFeature.sizeBand(personAreas: componentArea[root])
            let footX = min(width - 1, max(0, stats.sumX / max(1, stats.area)))
            func add(to slot: Int) {
                measurements[slot].sizeArea[band] += componentArea[root]
                measurements[slot].sizeOutline[band] += componentOutline[root]
                measurements[slot].sizeTexture[band] += componentTexture[root]
            }
            add(to: 0)
            var bits = membership[min(height - 1, stats.maxY) * width + footX]
            while bits != 0 {
                add(to: bits.trailingZeroBitCount + 1)
                bits &= bits - 1
            }
        }
    }

    private mutating func measureBlobs(_ blobs: [Blob]) {
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
    }
}

private extension Double {
    /// Natural logarithm without Foundation (VigilVision stays free of it): ln(x) for
    /// 0 < x ≤ 1 by argument halving into [0.5, 1) and the series of atanh.
    var ln: Double {
        var x = self, exponent = 0.0
        while x < 0.5 { x *= 2; exponent -= 1 }
        let z = (x - 1) / (x + 1), z2 = z * z
        var term = z, sum = 0.0
        for k in stride(from: 1.0, through: 41, by: 2) { sum += term / k; term *= z2 }
        return 2 * sum + exponent * 0.6931471805599453
    }
}
