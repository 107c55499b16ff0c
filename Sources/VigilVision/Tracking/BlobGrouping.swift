/// Joins blobs that are pieces of one object. A real vehicle near the camera often
/// comes out of the motion mask as several blobs (windows, roof and bumper differ from
/// the road; the paint in between may not), and each piece would otherwise become a
/// track of its own and count again at every line. Blobs whose boxes come within a gap
/// of each other are joined; the gap is a fraction of the frame height, or of a
/// person's height at that row when the camera has a perspective. Two groups only join
/// when the result stays compact (its box no more than twice the area of the two boxes)
/// and under 15 % of the frame, so a chain of nearby blobs in dense traffic never grows
/// into one object covering half the picture. Where the tracker has learned the usual
/// size of an object there (`ObjectSizeMap`), two groups also never join into
/// something longer or taller than `sizeFactor` such objects: in a jam, vehicles one
/// behind the other are within any fixed gap of each other. With a perspective, two groups
/// that are each a whole object by the map's median never join.
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
                if let usual = sizes?.size(at: joined.centre, frameWidth: frameWidth, frameHeight: frameHeight),
                   joined.width > sizeFactor * usual.width || joined.height > sizeFactor * usual.height { continue }
                // With a perspective, two groups that are each a whole object stay apart, however
                // close: one car behind another in a jam, where the rows mix near and far cars too
                // much for the usual size to bound the join. Without one (highway-cctv at 320×240)
                // the pieces of one near car passed for two whole ones and counted it twice.
                if perspective != nil, let sizes, sizes.holdsWhole(groupBox[rootA], frameWidth: frameWidth, frameHeight: frameHeight),
                   sizes.holdsWhole(groupBox[rootB], frameWidth: frameWidth, frameHeight: frameHeight) { continue }
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
