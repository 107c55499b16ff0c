/// Watches the camera itself rather than the scene: is the lens covered, the picture out of
/// focus, or the camera pointing somewhere else? Each frame is measured on a sparse grid
/// (every 4th pixel of every 4th row) against a reference learned while the view was
/// normal:
/// - **covered**: the picture's contrast collapses (standard deviation under a quarter of
///   the reference's): a hand, a bag, spray paint, or darkness no lighting explains;
/// - **defocused**: the contrast is there but the edges are gone (gradient energy per unit
///   of contrast under 40 % of the reference's): a knocked focus ring, condensation;
/// - **moved**: the layout of the picture no longer matches: in a 16×9 thumbnail of block
///   means, each normalised to the picture's own mean and contrast, under 45 % of the cells
///   still match the reference's (vehicles passing close cover some cells, a turned camera
///   changes nearly all: a different view still matches about 30 % by chance).
/// All three measures are relative (normalised cells, and edges per unit of contrast), so a
/// light change, dusk or an IR switch does not look like tampering. Which condition holds
/// is reported per frame; how long it must persist is the rule's business (VigilAnalytics).
public struct TamperDetector: Sendable {
    public enum Condition: String, Sendable, Equatable { case covered, defocused, moved }

    public struct Measures: Sendable, Equatable {
        public var mean = 0.0
        public var deviation = 0.0
        /// Mean absolute gradient divided by the standard deviation.
        public var sharpness = 0.0
        /// Fraction of thumbnail cells that still match the reference's (1 = same layout).
        public var layout = 1.0
    }

    public struct Settings: Sendable, Equatable {
        public var coveredContrast = 0.25
        public var defocusSharpness = 0.5
        public var movedLayout = 0.45
        /// Frames used to learn the first reference.
        public var learningFrames = 25
        /// How fast the reference follows a normal view (per frame): slow, so a tamper that
        /// develops gradually is still seen.
        public var referenceRate = 0.002
        public init() {}
    }

    public var settings: Settings
    public private(set) var reference = Measures()
    public private(set) var last = Measures()
    private var thumbnail = [Double](repeating: 0, count: 16 * 9)
    private var referenceThumbnail = [Double](repeating: 0, count: 16 * 9)
    private var counts = [Int](repeating: 0, count: 16 * 9)
    private var cellSums = [Int](repeating: 0, count: 16 * 9)
    /// Per thumbnail column, the first sampled x in it (and one past the last), for `columnsWidth`.
    private var columnStarts: [Int] = []
    private var columnsWidth = 0
    private var learned = 0

    public init(settings: Settings = Settings()) { self.settings = settings }

    public mutating func reset() { learned = 0 }

    /// True while the reference is still being learned (nothing is reported).
    public var isLearning: Bool { learned < settings.learningFrames }

    /// Measures one frame; returns the condition that holds now, if any.
    public mutating func analyze(_ image: GrayImage) -> Condition? {
        measure(image)
        if isLearning {
            let weight = 1 / Double(learned + 1)
            blend(weight)
            learned += 1
            return nil
        }
        last.layout = matchingCells(thumbnail, referenceThumbnail)
        let condition: Condition?
        if last.deviation < settings.coveredContrast * reference.deviation || last.deviation < 2 {
            condition = .covered
        } else if last.layout < settings.movedLayout {
            condition = .moved
        } else if last.sharpness < settings.defocusSharpness * reference.sharpness {
            condition = .defocused
        } else {
            condition = nil
        }
        if condition == nil { blend(settings.referenceRate) }
        return condition
    }

    private mutating func blend(_ weight: Double) {
        reference.mean += (last.mean - reference.mean) * weight
        reference.deviation += (last.deviation - reference.deviation) * weight
        reference.sharpness += (last.sharpness - reference.sharpness) * weight
        for i in thumbnail.indices { referenceThumbnail[i] += (thumbnail[i] - referenceThumbnail[i]) * weight }
    }

    private mutating func measure(_ image: GrayImage) {
        let width = image.width, height = image.height
        guard width >= 16 && height >= 9 else { last = Measures(); return }
        var sum = 0, sumSquares = 0, gradient = 0, samples = 0, gradientSamples = 0
        // Runs on every frame: each row is walked one thumbnail column at a time, the column's
        // sampled pixels summed in registers; the columns' bounds are worked out once per width.
        if columnsWidth != width {
            columnsWidth = width
            // Per column, its first sampled x (every 4th) with x × 16 ≥ column × width; the
            // last entry is one sample past the row.
            columnStarts = (0...16).map { column in
                var x = 0
                while x < width && x * 16 < column * width { x += 4 }
                return column == 16 ? (width + 3) / 4 * 4 : x
            }
        }
        for i in counts.indices { counts[i] = 0; cellSums[i] = 0 }
        // Samples before this x have a right neighbour (all but a last one on the row's last pixel).
        let neighboured = (width - 1) % 4 == 0 ? width - 1 : (width + 3) / 4 * 4
        image.pixels.withUnsafeBufferPointer { pixels in
            cellSums.withUnsafeMutableBufferPointer { cellSums in
                counts.withUnsafeMutableBufferPointer { counts in
                    columnStarts.withUnsafeBufferPointer { starts in
                        var y = 0
                        while y < height {
                            let row = pixels.baseAddress! + y * width, rowCells = min(8, y * 9 / height) * 16
                            // The bottom row's samples have no pixel below: no edges there.
                            let edgesEnd = y + 1 < height ? neighboured : 0
                            for column in 0..<16 {
                                let start = starts[column], end = starts[column + 1]
                                guard start < end else { continue }
                                var cell = 0, cellSquares = 0, edges = 0, x = start
                                let interiorEnd = max(start, min(end, edgesEnd))
                                while x < interiorEnd {
                                    let value = Int(row[x])
                                    cell += value
                                    cellSquares += value * value
                                    edges += abs(Int(row[x + 1]) - value) + abs(Int(row[x + width]) - value)
                                    x += 4
                                }
                                while x < end {
                                    let value = Int(row[x])
                                    cell += value
                                    cellSquares += value * value
                                    x += 4
                                }
                                let taken = (end - start + 3) / 4
                                sum += cell
                                sumSquares += cellSquares
                                gradient += edges
                                samples += taken
                                gradientSamples += (interiorEnd - start + 3) / 4
                                cellSums[rowCells + column] += cell
                                counts[rowCells + column] += taken
                            }
                            y += 4
                        }
                    }
                }
            }
        }
        for i in thumbnail.indices { thumbnail[i] = Double(cellSums[i]) }
        for i in thumbnail.indices { thumbnail[i] /= Double(max(1, counts[i])) }
        let mean = Double(sum) / Double(max(1, samples))
        let deviation = (max(0, Double(sumSquares) / Double(max(1, samples)) - mean * mean)).squareRoot()
        last = Measures(mean: mean, deviation: deviation,
                        sharpness: Double(gradient) / Double(max(1, gradientSamples)) / max(1, deviation), layout: last.layout)
    }

    /// Cells whose value, in units of the picture's own contrast around its own mean,
    /// is within half a unit of the reference's.
    private func matchingCells(_ a: [Double], _ b: [Double]) -> Double {
        func normalised(_ values: [Double], _ index: Int, mean: Double, deviation: Double) -> Double { (values[index] - mean) / deviation }
        let n = Double(a.count)
        let meanA = a.reduce(0, +) / n, meanB = b.reduce(0, +) / n
        let deviationA = max(1, (a.reduce(0) { $0 + ($1 - meanA) * ($1 - meanA) } / n).squareRoot())
        let deviationB = max(1, (b.reduce(0) { $0 + ($1 - meanB) * ($1 - meanB) } / n).squareRoot())
        var matching = 0
        for i in a.indices where abs(normalised(a, i, mean: meanA, deviation: deviationA) - normalised(b, i, mean: meanB, deviation: deviationB)) < 0.5 {
            matching += 1
        }
        return Double(matching) / n
    }
}
