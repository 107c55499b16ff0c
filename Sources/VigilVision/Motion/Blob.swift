/// A connected region of foreground pixels in analysis-frame coordinates.
public struct Blob: Sendable, Equatable {
    /// Bounding box in pixels.
    public var box: Box
    /// Number of foreground pixels.
    public var area: Int
    /// Mean position of the pixels.
    public var centroid: Point
    public init(box: Box, area: Int, centroid: Point) {
        self.box = box; self.area = area; self.centroid = centroid
    }
}

/// Cleans a raw foreground mask and splits it into blobs: a 3×3 majority vote removes
/// isolated pixels and fills pinholes, then two-pass connected components (8-connected,
/// union-find) measure each region and drop those below a minimum size.
/// Buffers are kept between frames; nothing is allocated once sized.
public struct BlobExtractor {
    public private(set) var blobs: [Blob] = []
    /// Root label of each blob, parallel to `blobs`, to find a blob's pixels again.
    private(set) var blobRoots: [Int32] = []
    private var labels: [Int32] = []
    private var parent: [Int32] = []
    private var stats: [BlobStats] = []
    private var smoothed: [UInt8] = []
    private var columnSums: [UInt8] = []

    struct BlobStats {
        var area = 0, minX = Int.max, minY = Int.max, maxX = -1, maxY = -1, sumX = 0, sumY = 0
    }

    public init() {
        blobs.reserveCapacity(256)
        blobRoots.reserveCapacity(256)
    }

    mutating func clear() { blobs.removeAll(keepingCapacity: true); blobRoots.removeAll(keepingCapacity: true) }

    /// The root label of the pixel at `index` (0 = background).
    func rootLabel(at index: Int) -> Int32 {
        // Labels are written for foreground pixels only; elsewhere they are stale.
        smoothed[index] == 0 ? 0 : parent[Int(labels[index])]
    }

    /// What the ghost tests of the background models measure on a blob's outline (its
    /// pixels with a 4-neighbour outside it): summed edge strength in the frame and in the
    /// background, the outline's length and its summed `age`.
    struct Outline {
        var frameEdges = 0, backgroundEdges = 0, length = 0, age = 0
    }

    /// `background(i)` is the background's grey level at pixel i, `age(i)` any per-pixel count.
    func outline(ofBlobAt index: Int, frame: GrayImage, background: (Int) -> Int, age: (Int) -> Int = { _ in 0 }) -> Outline {
        let blob = blobs[index], root = blobRoots[index]
        let width = frame.width, height = frame.height
        var outline = Outline()
        let x0 = max(1, Int(blob.box.x)), x1 = min(width - 2, Int(blob.box.x + blob.box.width) - 1)
        let y0 = max(1, Int(blob.box.y)), y1 = min(height - 2, Int(blob.box.y + blob.box.height) - 1)
        guard x0 <= x1 && y0 <= y1 else { return outline }
        frame.pixels.withUnsafeBufferPointer { frame in
            for y in y0...y1 {
                for x in x0...x1 {
                    let i = y * width + x
                    guard rootLabel(at: i) == root else { continue }
                    guard rootLabel(at: i - 1) != root || rootLabel(at: i + 1) != root
                        || rootLabel(at: i - width) != root || rootLabel(at: i + width) != root else { continue }
                    outline.length += 1
                    outline.age += age(i)
                    outline.frameEdges += abs(Int(frame[i + 1]) - Int(frame[i - 1])) + abs(Int(frame[i + width]) - Int(frame[i - width]))
                    outline.backgroundEdges += abs(background(i + 1) - background(i - 1)) + abs(background(i + width) - background(i - width))
                }
            }
        }
        return outline
    }

    /// Removes blob `index` from the list and from `mask`.
    mutating func erase(blobAt index: Int, from mask: inout GrayImage) -> Int {
        let blob = blobs[index], root = blobRoots[index]
        let width = mask.width
        var removed = 0
        for y in Int(blob.box.y)..<Int(blob.box.y + blob.box.height) {
            for x in Int(blob.box.x)..<Int(blob.box.x + blob.box.width) where rootLabel(at: y * width + x) == root {
                mask.pixels[y * width + x] = 0
                removed += 1
            }
        }
        blobs.remove(at: index)
        blobRoots.remove(at: index)
        return removed
    }

    /// Writes the cleaned mask (255 = foreground) and returns its foreground pixel count.
    public mutating func clean(_ raw: GrayImage, into mask: inout GrayImage, minimumBlobPixels: Int,
                               perspective: PerspectiveScale? = nil, minimumPersonFraction: Double = 0.1) -> Int {
        let width = raw.width, height = raw.height, count = width * height
        if labels.count != count {
            labels = [Int32](repeating: 0, count: count)
            smoothed = [UInt8](repeating: 0, count: count)
            parent.reserveCapacity(4096)
            stats.reserveCapacity(4096)
        }
        if mask.width != width || mask.height != height { mask = GrayImage(width: width, height: height) }
        majority(raw, width: width, height: height)
        label(width: width, height: height)
        // The final mask: every cleaned pixel, then small blobs erased by their boxes.
        blobs.removeAll(keepingCapacity: true)
        blobRoots.removeAll(keepingCapacity: true)
        smoothed.withUnsafeBufferPointer { input in
            mask.pixels.withUnsafeMutableBufferPointer { out in
                let source = input.baseAddress!, target = out.baseAddress!
                for i in 0..<count { target[i] = source[i] &* 255 }
            }
        }
        var kept = 0
        for index in 1..<stats.count where parent[index] == Int32(index) {
            let s = stats[index]
            var minimum = minimumBlobPixels
            if let perspective {
                let feet = Double(s.maxY + 1) / Double(height)
                minimum = max(minimum, Int(perspective.personArea(atY: feet, width: width, height: height) * minimumPersonFraction))
            }
            if s.area >= minimum { kept += s.area; continue }
            // Marked too small: the blob list below skips it by the same test.
            stats[index].area = -s.area
            for y in s.minY...s.maxY {
                for x in s.minX...s.maxX where smoothed[y * width + x] != 0 && parent[Int(labels[y * width + x])] == Int32(index) {
                    mask.pixels[y * width + x] = 0
                }
            }
        }
        for index in 1..<stats.count where parent[index] == Int32(index) && stats[index].area > 0 {
            let s = stats[index]
            blobs.append(Blob(box: Box(x: Double(s.minX), y: Double(s.minY), width: Double(s.maxX - s.minX + 1), height: Double(s.maxY - s.minY + 1)),
                              area: s.area, centroid: Point(x: Double(s.sumX) / Double(s.area), y: Double(s.sumY) / Double(s.area))))
            blobRoots.append(Int32(index))
        }
        return kept
    }

    /// 3×3 majority (≥ 5 of 9) over the raw 0/1 mask, into `smoothed` as 0/1; borders are
    /// cleared. Column sums first, then sums along the row: two plain passes.
    private mutating func majority(_ raw: GrayImage, width: Int, height: Int) {
        if columnSums.count != width { columnSums = [UInt8](repeating: 0, count: width) }
        raw.pixels.withUnsafeBufferPointer { input in
            smoothed.withUnsafeMutableBufferPointer { out in
                columnSums.withUnsafeMutableBufferPointer { sums in
                    out.update(repeating: 0)
                    guard width > 2 && height > 2 else { return }
                    for y in 1..<(height - 1) {
                        let above = input.baseAddress! + (y - 1) * width, row = above + width, below = row + width
                        for x in 0..<width { sums[x] = above[x] &+ row[x] &+ below[x] }
                        let target = out.baseAddress! + y * width
                        for x in 1..<(width - 1) {
                            target[x] = sums[x - 1] &+ sums[x] &+ sums[x + 1] >= 5 ? 1 : 0
                        }
                    }
                }
            }
        }
    }

    /// Calls `body(x, y, index)` for every foreground pixel, row by row, skipping eight
    /// background pixels at a time (background dominates).
    @inline(__always)
    private static func forEachForeground(_ input: UnsafeBufferPointer<UInt8>, width: Int, height: Int, _ body: (Int, Int, Int) -> Void) {
        let words = UnsafeRawPointer(input.baseAddress!)
        for y in 0..<height {
            let row = y * width
            var x = 0
            while x < width {
                let i = row + x
                if x + 8 <= width && words.loadUnaligned(fromByteOffset: i, as: UInt64.self) == 0 { x += 8; continue }
                if input[i] != 0 { body(x, y, i) }
                x += 1
            }
        }
    }

    /// Two-pass 8-connected labelling with union-find; fills `stats` per root label.
    private mutating func label(width: Int, height: Int) {
        parent.removeAll(keepingCapacity: true)
        stats.removeAll(keepingCapacity: true)
        parent.append(0)
        stats.append(BlobStats())
        func find(_ parent: inout [Int32], _ start: Int32) -> Int32 {
            var node = start
            while parent[Int(node)] != node {
                parent[Int(node)] = parent[Int(parent[Int(node)])]
                node = parent[Int(node)]
            }
            return node
        }
        func union(_ parent: inout [Int32], _ a: Int32, _ b: Int32) -> Int32 {
            let rootA = find(&parent, a), rootB = find(&parent, b)
            guard rootA != rootB else { return rootA }
            let (low, high) = rootA < rootB ? (rootA, rootB) : (rootB, rootA)
            parent[Int(high)] = low
            return low
        }
        smoothed.withUnsafeBufferPointer { input in
            labels.withUnsafeMutableBufferPointer { labels in
                Self.forEachForeground(input, width: width, height: height) { x, y, i in
                    // Decision tree over the visited 8-neighbours (left, up-left, up,
                    // up-right): the ones adjacent to each other were joined already, so
                    // at most one union is needed per pixel.
                    let hasLeft = x > 0 && input[i - 1] != 0
                    let hasUpLeft = y > 0 && x > 0 && input[i - width - 1] != 0
                    let hasUp = y > 0 && input[i - width] != 0
                    let hasUpRight = y > 0 && x < width - 1 && input[i - width + 1] != 0
                    var best: Int32
                    if hasUp {
                        best = labels[i - width]
                    } else if hasLeft || hasUpLeft {
                        best = hasLeft ? labels[i - 1] : labels[i - width - 1]
                        if hasUpRight { best = union(&parent, best, labels[i - width + 1]) }
                    } else if hasUpRight {
                        best = labels[i - width + 1]
                    } else {
                        best = Int32(parent.count)
                        parent.append(best)
                        stats.append(BlobStats())
                    }
                    labels[i] = best
                }
                // Second pass: accumulate statistics on each root.
                Self.forEachForeground(input, width: width, height: height) { x, y, i in
                    let root = Int(find(&parent, labels[i]))
                    stats[root].area += 1
                    stats[root].sumX += x; stats[root].sumY += y
                    if x < stats[root].minX { stats[root].minX = x }
                    if x > stats[root].maxX { stats[root].maxX = x }
                    if y < stats[root].minY { stats[root].minY = y }
                    if y > stats[root].maxY { stats[root].maxY = y }
                }
            }
        }
        // Flatten so every label points at its root for the mask pass.
        for index in 0..<parent.count { parent[index] = find(&parent, Int32(index)) }
    }
}
