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
public struct BlobExtractor: Sendable {
    public private(set) var blobs: [Blob] = []
    /// Root label of each blob, parallel to `blobs`, to find a blob's pixels again.
    private(set) var blobRoots: [Int32] = []
    private var labels: [Int32] = []
    private var parent: [Int32] = []
    private var stats: [BlobStats] = []
    private var smoothed: [UInt8] = []
    private var columnSums: [UInt8] = []
    private var runs: [Run] = []
    /// Index of each row's first run in `runs`, and one past the last row's.
    private var rowRuns: [Int32] = []
    /// Per root label, whether `mark` writes it (reused storage).
    private var picked: [UInt8] = []

    struct BlobStats {
        var area = 0, minX = Int.max, minY = Int.max, maxX = -1, maxY = -1, sumX = 0, sumY = 0
    }

    public init() {
        blobs.reserveCapacity(256)
        blobRoots.reserveCapacity(256)
    }

    mutating func clear() { blobs.removeAll(keepingCapacity: true); blobRoots.removeAll(keepingCapacity: true) }

    /// What the ghost tests of the background models measure on a blob's outline (its
    /// pixels with a 4-neighbour outside it): summed edge strength in the frame and in the
    /// background, the outline's length and its summed `age`.
    struct Outline {
        var frameEdges = 0, backgroundEdges = 0, length = 0, age = 0
    }

    /// `background(i)` is the background's grey level at pixel i, `age(i)` any per-pixel count.
    /// Walks the blob's runs, not its box: a run's two ends are outline (runs are maximal),
    /// and a pixel inside a run is outline when the pixel above or below is not the blob's.
    /// Pixels on the frame's border are left out (their neighbours are not all in the frame).
    func outline(ofBlobAt index: Int, frame: GrayImage, background: (Int) -> Int, age: (Int) -> Int = { _ in 0 }) -> Outline {
        let blob = blobs[index], root = blobRoots[index]
        let width = frame.width, height = frame.height
        var outline = Outline()
        let y0 = max(1, Int(blob.box.y)), y1 = min(height - 2, Int(blob.box.y + blob.box.height) - 1)
        guard y0 <= y1 && width >= 3 && rowRuns.count == height + 1 else { return outline }
        frame.pixels.withUnsafeBufferPointer { frame in
            smoothed.withUnsafeBufferPointer { foreground in
                labels.withUnsafeBufferPointer { labels in
                    parent.withUnsafeBufferPointer { parent in
                        // Labels hold root labels (written by `label`), stale where not foreground.
                        func isBlob(_ i: Int) -> Bool { foreground[i] != 0 && labels[i] == root }
                        for y in y0...y1 {
                            for r in Int(rowRuns[y])..<Int(rowRuns[y + 1]) {
                                let run = runs[r]
                                guard parent[Int(run.label)] == root else { continue }
                                let first = Int(run.start), last = Int(run.end) - 1
                                let low = max(1, first), high = min(width - 2, last)
                                guard low <= high else { continue }
                                for x in low...high {
                                    let i = y * width + x
                                    guard x == first || x == last || !isBlob(i - width) || !isBlob(i + width) else { continue }
                                    outline.length += 1
                                    outline.age += age(i)
                                    outline.frameEdges += abs(Int(frame[i + 1]) - Int(frame[i - 1])) + abs(Int(frame[i + width]) - Int(frame[i - width]))
                                    outline.backgroundEdges += abs(background(i + 1) - background(i - 1)) + abs(background(i + width) - background(i - width))
                                }
                            }
                        }
                    }
                }
            }
        }
        return outline
    }

    /// Writes 1 over the pixels of the blobs `include(index)` picks, run by run (no
    /// per-pixel label look-ups); `out` is the frame's size and the rest is left as it was.
    mutating func mark(blobsWhere include: (Int) -> Bool, into out: UnsafeMutableBufferPointer<UInt8>, width: Int) {
        picked.removeAll(keepingCapacity: true)
        picked.append(contentsOf: repeatElement(0, count: parent.count))
        for index in blobs.indices where include(index) { picked[Int(blobRoots[index])] = 1 }
        fillRuns(into: out, width: width, value: 1) { picked[$0] != 0 }
    }

    /// Writes `value` over every run whose root label `keep` accepts.
    private func fillRuns(into out: UnsafeMutableBufferPointer<UInt8>, width: Int, value: UInt8, where keep: (Int) -> Bool) {
        guard rowRuns.count > 1 else { return }
        for y in 0..<(rowRuns.count - 1) {
            for r in Int(rowRuns[y])..<Int(rowRuns[y + 1]) {
                let run = runs[r]
                guard keep(Int(parent[Int(run.label)])) else { continue }
                (out.baseAddress! + y * width + Int(run.start)).update(repeating: value, count: Int(run.end - run.start))
            }
        }
    }

    /// Calls `body` with the index of every pixel of blob `index` in a frame `width` wide,
    /// walking the blob's runs (no per-pixel label look-ups).
    func forEachPixel(ofBlobAt index: Int, width: Int, _ body: (Int) -> Void) {
        let blob = blobs[index], root = blobRoots[index]
        let y0 = max(0, Int(blob.box.y)), y1 = min(rowRuns.count - 1, Int(blob.box.y + blob.box.height))
        guard y0 < y1 else { return }
        for y in y0..<y1 {
            for r in Int(rowRuns[y])..<Int(rowRuns[y + 1]) {
                let run = runs[r]
                guard parent[Int(run.label)] == root else { continue }
                for x in Int(run.start)..<Int(run.end) { body(y * width + x) }
            }
        }
    }

    /// Removes blob `index` from the list and from `mask`.
    mutating func erase(blobAt index: Int, from mask: inout GrayImage) -> Int {
        var removed = 0
        forEachPixel(ofBlobAt: index, width: mask.width) { i in
            mask.pixels[i] = 0
            removed += 1
        }
        blobs.remove(at: index)
        blobRoots.remove(at: index)
        return removed
    }

    /// Labels the connected components of a mask that is already clean (8-connected, no
    /// majority vote, no size floor), for a reader that measures each component itself
    /// (`rootLabel(at:)`, `forEachComponent`).
    mutating func labelComponents(of mask: GrayImage) {
        let width = mask.width, height = mask.height, count = width * height
        if labels.count != count {
            labels = [Int32](repeating: 0, count: count)
            smoothed = [UInt8](repeating: 0, count: count)
        }
        mask.pixels.withUnsafeBufferPointer { input in
            smoothed.withUnsafeMutableBufferPointer { out in
                for index in 0..<count { out[index] = input[index] != 0 ? 1 : 0 }
            }
        }
        label(width: width, height: height)
    }

    /// Calls `body(root label, statistics)` for every component of the last labelling.
    func forEachComponent(_ body: (Int, BlobStats) -> Void) {
        for index in stats.indices.dropFirst() where parent[index] == Int32(index) { body(index, stats[index]) }
    }

    /// The number of labels (roots and others): an upper bound on a root label, plus one.
    var labelCount: Int { parent.count }

    /// The root label of foreground pixel `index` after the last labelling (stale elsewhere).
    func rootLabel(at index: Int) -> Int { Int(labels[index]) }

    /// Writes the cleaned mask (255 = foreground) and returns its foreground pixel count.
    public mutating func clean(_ raw: GrayImage, into mask: inout GrayImage, minimumBlobPixels: Int,
                               perspective: PerspectiveScale? = nil, minimumPersonFraction: Double = 0.1) -> Int {
        let width = raw.width, height = raw.height, count = width * height
        if labels.count != count {
            labels = [Int32](repeating: 0, count: count)
            smoothed = [UInt8](repeating: 0, count: count)
            parent.reserveCapacity(4096)
            stats.reserveCapacity(4096)
            runs.reserveCapacity(8192)
            rowRuns.reserveCapacity(height + 1)
        }
        if mask.width != width || mask.height != height { mask = GrayImage(width: width, height: height) }
        majority(raw, width: width, height: height)
        label(width: width, height: height)
        blobs.removeAll(keepingCapacity: true)
        blobRoots.removeAll(keepingCapacity: true)
        var kept = 0
        for index in 1..<stats.count where parent[index] == Int32(index) {
            let s = stats[index]
            var minimum = minimumBlobPixels
            if let perspective {
                let feet = Double(s.maxY + 1) / Double(height)
                minimum = max(minimum, Int(perspective.personArea(atY: feet, width: width, height: height) * minimumPersonFraction))
            }
            if s.area >= minimum { kept += s.area; continue }
            // Marked too small: the mask and the blob list below skip it by the same test.
            stats[index].area = -s.area
        }
        // The final mask, written run by run from the blobs kept.
        mask.pixels.withUnsafeMutableBufferPointer { out in
            out.update(repeating: 0)
            fillRuns(into: out, width: width, value: 255) { stats[$0].area > 0 }
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

    /// A horizontal run of foreground pixels in one row: `start..<end`, and its label.
    struct Run {
        var start: Int32, end: Int32, label: Int32
    }

    /// Run-based two-pass 8-connected labelling with union-find (He, Chao and Suzuki's
    /// run idea): the mask is read once as runs, a run joins the runs of the row above that
    /// touch it, and statistics and labels are written per run, not per pixel. Fills
    /// `stats` per root label and `labels` (root labels) for the foreground pixels.
    private mutating func label(width: Int, height: Int) {
        parent.removeAll(keepingCapacity: true)
        stats.removeAll(keepingCapacity: true)
        runs.removeAll(keepingCapacity: true)
        rowRuns.removeAll(keepingCapacity: true)
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
        let ones: UInt64 = 0x0101_0101_0101_0101
        smoothed.withUnsafeBufferPointer { input in
            let words = UnsafeRawPointer(input.baseAddress!)
            var previousStart = 0, previousEnd = 0
            for y in 0..<height {
                let row = y * width
                let currentStart = runs.count
                var above = previousStart
                var x = 0
                while x < width {
                    // Background dominates: sixteen empty pixels at a time.
                    if x + 16 <= width && words.loadUnaligned(fromByteOffset: row + x, as: SIMD16<UInt8>.self) == .zero { x += 16; continue }
                    if x + 8 <= width && words.loadUnaligned(fromByteOffset: row + x, as: UInt64.self) == 0 { x += 8; continue }
                    if input[row + x] == 0 { x += 1; continue }
                    let start = x
                    while x + 8 <= width && words.loadUnaligned(fromByteOffset: row + x, as: UInt64.self) == ones { x += 8 }
                    while x < width && input[row + x] != 0 { x += 1 }
                    // Runs above that touch start - 1 ... x (8-connected).
                    while above < previousEnd && Int(runs[above].end) < start { above += 1 }
                    var label: Int32 = 0
                    var k = above
                    while k < previousEnd && Int(runs[k].start) <= x {
                        label = label == 0 ? runs[k].label : union(&parent, label, runs[k].label)
                        k += 1
                    }
                    if label == 0 {
                        label = Int32(parent.count)
                        parent.append(label)
                        stats.append(BlobStats())
                    }
                    runs.append(Run(start: Int32(start), end: Int32(x), label: label))
                }
                rowRuns.append(Int32(currentStart))
                previousStart = currentStart
                previousEnd = runs.count
            }
        }
        // Flatten so every label points at its root, then statistics and labels per run.
        for index in 0..<parent.count { parent[index] = find(&parent, Int32(index)) }
        rowRuns.append(Int32(runs.count))
        labels.withUnsafeMutableBufferPointer { labels in
            for y in 0..<height {
                let row = y * width
                for r in Int(rowRuns[y])..<Int(rowRuns[y + 1]) {
                    let run = runs[r], root = parent[Int(run.label)]
                    let start = Int(run.start), end = Int(run.end), length = end - start
                    var s = stats[Int(root)]
                    s.area += length
                    s.sumX += (start + end - 1) * length / 2
                    s.sumY += y * length
                    s.minX = min(s.minX, start); s.maxX = max(s.maxX, end - 1)
                    s.minY = min(s.minY, y); s.maxY = max(s.maxY, y)
                    stats[Int(root)] = s
                    (labels.baseAddress! + row + start).update(repeating: root, count: length)
                }
            }
        }
    }
}
