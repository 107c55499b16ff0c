/// The sums over a set of annotated frames that a ridge fit needs, for every column of some
/// features at once: a fit on any subset of those columns, and a fit without one fold
/// (the whole set's sums minus the fold's), is then a small solve, not a pass over the frames.
struct CrowdMoments {
    /// The features whose columns are summed, and where each one's columns start.
    let features: [CrowdFeature]
    let offsets: [Int]
    let columns: Int
    var count = 0.0
    var sums: [Double]
    /// Σ xᵢ xⱼ, row-major over `columns` × `columns`.
    var products: [Double]
    /// Σ xᵢ y, and Σ y.
    var targetProducts: [Double]
    var targetSum = 0.0

    init(features: [CrowdFeature]) {
        self.features = features
        var offsets: [Int] = [], next = 0
        for feature in features { offsets.append(next); next += feature.columns }
        self.offsets = offsets
        columns = next
        sums = Array(repeating: 0, count: next)
        products = Array(repeating: 0, count: next * next)
        targetProducts = Array(repeating: 0, count: next)
    }

    init<S: Sequence>(features: [CrowdFeature], samples: S) where S.Element == CrowdModelFitting.Sample {
        self.init(features: features)
        var row = [Double](repeating: 0, count: columns)
        for sample in samples {
            for (feature, offset) in zip(features, offsets) {
                for column in 0..<feature.columns { row[offset + column] = sample.measurement.value(feature, column: column) }
            }
            count += 1
            targetSum += sample.people
            for i in 0..<columns {
                sums[i] += row[i]
                targetProducts[i] += row[i] * sample.people
                for j in i..<columns { products[i * columns + j] += row[i] * row[j] }
            }
        }
        for i in 0..<columns { for j in 0..<i { products[i * columns + j] = products[j * columns + i] } }
    }

    /// The sums without `other`'s frames (`other` a subset of these, with the same features).
    func removing(_ other: CrowdMoments) -> CrowdMoments {
        var rest = self
        rest.count -= other.count
        rest.targetSum -= other.targetSum
        for i in 0..<columns {
            rest.sums[i] -= other.sums[i]
            rest.targetProducts[i] -= other.targetProducts[i]
        }
        for i in products.indices { rest.products[i] -= other.products[i] }
        return rest
    }

    /// Ridge regression on `chosen` (a subset of `features`, in their order), as
    /// `CrowdModelFitting` describes it: standardised columns, the coefficients shrunk by
    /// `ridge` × the frame count, the intercept (when fitted) not shrunk.
    func solve(_ chosen: [CrowdFeature], ridge: Double, intercept: Bool) -> CrowdModel {
        var indices: [Int] = []
        for feature in chosen {
            let offset = offsets[features.firstIndex(of: feature)!]
            indices += (offset..<(offset + feature.columns))
        }
        let n = max(1, count), k = indices.count
        // Through the origin nothing is centred: the scales are root mean squares.
        let means = indices.map { intercept ? sums[$0] / n : 0 }
        let scales = (0..<k).map { i in
            max(1e-9, (max(0, products[indices[i] * columns + indices[i]] / n - means[i] * means[i])).squareRoot())
        }
        let targetMean = intercept ? targetSum / n : 0
        // Normal equations on standardised columns: (ZᵀZ + λ n I) b = Zᵀ (y − ȳ), from the sums:
        // Σ (xᵢ − mᵢ)(xⱼ − mⱼ) = Σ xᵢ xⱼ − n mᵢ mⱼ and Σ (xᵢ − mᵢ)(y − ȳ) = Σ xᵢ y − mᵢ Σ y.
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        var right = [Double](repeating: 0, count: k)
        for i in 0..<k {
            right[i] = (targetProducts[indices[i]] - means[i] * targetSum) / scales[i]
            for j in 0..<k {
                matrix[i][j] = (products[indices[i] * columns + indices[j]] - n * means[i] * means[j]) / (scales[i] * scales[j])
            }
            matrix[i][i] += ridge * n
        }
        let standardised = CrowdModelFitting.gaussianSolve(matrix, right)
        let coefficients = (0..<k).map { standardised[$0] / scales[$0] }
        let offset = targetMean - (0..<k).reduce(0) { $0 + coefficients[$1] * means[$1] }
        return CrowdModel(features: chosen, coefficients: coefficients, intercept: offset)
    }
}
