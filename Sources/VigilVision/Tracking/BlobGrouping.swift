/// Joins blobs that are pieces of one object. A real vehicle near the camera often
/// comes out of the motion mask as several blobs (windows, roof and bumper differ from
/// the road; the paint in between may not), and each piece would otherwise become a
/// track of its own and count again at every line. Blobs whose boxes come within a gap
/// of each other are joined; the gap is a fraction of the frame height, or of a
/// person's height at that row when the camera has a perspective. Two groups only join
/// when the result stays compact (its box no more than twice the area of the two boxes)
/// and under 15 % of the frame, so a chain of nearby blobs in dense traffic never grows
/// into one object covering half the picture. Where the tracker has learned the usual
/// size of an object at that row (`ObjectSizeMap`), two groups also never join into
/// something longer or taller than `sizeFactor` such objects: in a jam, vehicles one
/// behind the other are within any fixed gap of each other.
public struct BlobGrouping: Sendable {
    public var gapFraction: Double
    public var gapPersonFraction = 0.2
    public var compactness: Double
    public var largestFraction = 0.15
    /// With a learned object size at the row, two groups only join while the result is at
    /// most this many times the usual width and height there.
    public var sizeFactor = 1.6
    public private(set) var grouped: [Blob] = []
    private var parent: [Int] = []
    private var groupBox: [Box] = []
    private var slot: [Int] = []
    private var sums: [(x: Double, y: Double)] = []

    public init(gapFraction: Double = 0.03, compactness: Double = 2.0) {
        self.gapFraction = gapFraction
        self.compactness = compactness
        grouped.reserveCapacity(64)
    }

    public mutating func group(_ blobs: [Blob], frameWidth: Int, frameHeight: Int, perspective: PerspectiveScale?,
                               flow: FlowField? = nil, sizes: ObjectSizeMap? = nil) -> [Blob] {
        let count = blobs.count
        parent.removeAll(keepingCapacity: true)
        parent.append(contentsOf: 0..<count)
        groupBox.removeAll(keepingCapacity: true)
        for blob in blobs { groupBox.append(blob.box) }
        let largest = largestFraction * Double(frameWidth) * Double(frameHeight)
        func find(_ start: Int) -> Int {
            var node = start
            while parent[node] != node { parent[node] = parent[parent[node]]; node = parent[node] }
            return node
        }
        let height = Double(frameHeight)
        func gap(feet: Double) -> Double {
            guard let perspective else { return gapFraction * height }
            return gapPersonFraction * perspective.personHeight(atY: feet / height) * height
        }
        // Without a perspective the gap is one number: most pairs fail on x alone.
        let fixedGap = perspective == nil ? gapFraction * height : Double.infinity
        for i in 0..<count {
            let a = blobs[i].box
            for j in (i + 1)..<max(i + 1, count) {
                let b = blobs[j].box
                let dx = max(0, max(a.x, b.x) - min(a.x + a.width, b.x + b.width))
                guard dx <= fixedGap else { continue }
                let dy = max(0, max(a.y, b.y) - min(a.y + a.height, b.y + b.height))
                guard dy <= fixedGap else { continue }
                let gap = gap(feet: max(a.y + a.height, b.y + b.height))
                guard dx <= gap && dy <= gap else { continue }
                if let flow, flow.separates(a, b, frameWidth: frameWidth, frameHeight: frameHeight) { continue }
                let rootA = find(i), rootB = find(j)
                guard rootA != rootB else { continue }
                let joined = groupBox[rootA].union(groupBox[rootB])
                guard joined.area <= compactness * (groupBox[rootA].area + groupBox[rootB].area) && joined.area <= largest else { continue }
                if let usual = sizes?.size(atY: joined.y + joined.height / 2, frameHeight: frameHeight),
                   joined.width > sizeFactor * usual.width || joined.height > sizeFactor * usual.height { continue }
                let root = min(rootA, rootB)
                parent[max(rootA, rootB)] = root
                groupBox[root] = joined
            }
        }
        // One pass: each blob adds itself to its root's slot; a root is always the group's
        // lowest index, so groups come out in the order of their first blob.
        grouped.removeAll(keepingCapacity: true)
        slot.removeAll(keepingCapacity: true)
        slot.append(contentsOf: repeatElement(-1, count: count))
        sums.removeAll(keepingCapacity: true)
        for i in 0..<count {
            let root = find(i), blob = blobs[i]
            let weight = Double(blob.area)
            if slot[root] < 0 {
                slot[root] = grouped.count
                grouped.append(Blob(box: blob.box, area: blob.area, centroid: blob.centroid))
                sums.append((blob.centroid.x * weight, blob.centroid.y * weight))
            } else {
                let index = slot[root]
                grouped[index].box = grouped[index].box.union(blob.box)
                grouped[index].area += blob.area
                sums[index].x += blob.centroid.x * weight
                sums[index].y += blob.centroid.y * weight
            }
        }
        for index in grouped.indices {
            let area = Double(max(1, grouped[index].area))
            grouped[index].centroid = Point(x: sums[index].x / area, y: sums[index].y / area)
        }
        return grouped
    }

}

/// Splits a blob that is several people side by side into one piece per person, using the
/// camera's perspective: a blob as tall as a person at its feet but two or more person
/// widths wide (a person's box is about 0.4 of its height) becomes that many pieces.
/// Given the mask the blob came from, each cut moves to the emptiest columns near where an
/// equal cut would fall (the gap between two bodies, or the narrow neck between two heads),
/// and each piece's box, area and centre are those of its own foreground: pieces of equal
/// width stay put while the people inside the blob walk past each other, so tracks that
/// follow them swap. For cameras that watch people (a plaza, a gate): a car is as tall as a
/// person and wider, so on roads this would cut vehicles up, which is why it is opt-in.
public struct GroupSplitting: Sendable {
    public var personWidth = 0.4
    public var heightRange = 0.7...1.5
    public var maximumPieces = 6
    /// How far (a fraction of a piece's width) a cut may move from its equal position.
    public var cutReach = 0.4
    public private(set) var pieces: [Blob] = []
    private var columns: [Int] = []
    private var cuts: [Int] = []

    public init() { pieces.reserveCapacity(64) }

    public mutating func split(_ blobs: [Blob], frameHeight: Int, perspective: PerspectiveScale, mask: GrayImage? = nil) -> [Blob] {
        pieces.removeAll(keepingCapacity: true)
        let height = Double(frameHeight)
        for blob in blobs {
            let person = perspective.personHeight(atY: (blob.box.y + blob.box.height) / height) * height
            let width = personWidth * person
            let count = Int((blob.box.width / width).rounded())
            guard heightRange.contains(blob.box.height / person), count >= 2 else { pieces.append(blob); continue }
            let pieceCount = min(count, maximumPieces)
            if let mask, mask.height == frameHeight, cutAtValleys(blob, pieces: pieceCount, mask: mask) { continue }
            let pieceWidth = blob.box.width / Double(pieceCount)
            for index in 0..<pieceCount {
                let box = Box(x: blob.box.x + Double(index) * pieceWidth, y: blob.box.y, width: pieceWidth, height: blob.box.height)
                pieces.append(Blob(box: box, area: blob.area / pieceCount,
                                   centroid: Point(x: box.x + pieceWidth / 2, y: blob.centroid.y)))
            }
        }
        return pieces
    }

    /// Cuts `blob` into `count` pieces at the mask's emptiest columns; false (nothing added)
    /// when the box does not lie on the mask or a piece would hold no foreground.
    private mutating func cutAtValleys(_ blob: Blob, pieces count: Int, mask: GrayImage) -> Bool {
        let left = max(0, Int(blob.box.x)), right = min(mask.width, Int((blob.box.x + blob.box.width).rounded()))
        let top = max(0, Int(blob.box.y)), bottom = min(mask.height, Int((blob.box.y + blob.box.height).rounded()))
        guard right - left >= 2 * count, bottom > top else { return false }
        let span = right - left, stride = mask.width
        columns.removeAll(keepingCapacity: true)
        columns.append(contentsOf: repeatElement(0, count: span))
        mask.pixels.withUnsafeBufferPointer { pixels in
            for y in top..<bottom {
                let row = y * stride + left
                for x in 0..<span where pixels[row + x] != 0 { columns[x] += 1 }
            }
        }
        // Cuts: positions in 0...span, the first 0 and the last span.
        cuts.removeAll(keepingCapacity: true)
        cuts.append(0)
        let pieceWidth = Double(span) / Double(count)
        for index in 1..<count {
            let equal = Double(index) * pieceWidth
            let low = max(cuts[cuts.count - 1] + 1, Int((equal - cutReach * pieceWidth).rounded()))
            let high = min(span - (count - index), Int((equal + cutReach * pieceWidth).rounded()))
            var best = Int(equal.rounded()), bestCost = Int.max, bestDistance = Double.infinity
            if low <= high {
                for x in low...high {
                    // The column left of the cut and the one right of it, so a one-column gap counts.
                    let cost = columns[x - 1] + columns[min(span - 1, x)]
                    let distance = abs(Double(x) - equal)
                    if cost < bestCost || (cost == bestCost && distance < bestDistance) { best = x; bestCost = cost; bestDistance = distance }
                }
            }
            cuts.append(min(max(best, cuts[cuts.count - 1] + 1), span - (count - index)))
        }
        cuts.append(span)
        let first = pieces.count
        for index in 0..<count {
            let from = left + cuts[index], to = left + cuts[index + 1]
            var area = 0, sumX = 0, sumY = 0, minY = Int.max, maxY = -1
            mask.pixels.withUnsafeBufferPointer { pixels in
                for y in top..<bottom {
                    let row = y * stride
                    var rowCount = 0
                    for x in from..<to where pixels[row + x] != 0 { rowCount += 1; sumX += x }
                    guard rowCount > 0 else { continue }
                    area += rowCount
                    sumY += rowCount * y
                    minY = min(minY, y)
                    maxY = y
                }
            }
            guard area > 0 else { pieces.removeSubrange(first...); return false }
            pieces.append(Blob(box: Box(x: Double(from), y: Double(minY), width: Double(to - from), height: Double(maxY - minY + 1)),
                               area: area, centroid: Point(x: Double(sumX) / Double(area), y: Double(sumY) / Double(area))))
        }
        return true
    }
}
