import VigilVision

/// Per-pixel counts of a predicted motion mask against a truth mask, summed over frames
/// (the dataset README's scoring: not averaged per frame). Truth 255 = moving,
/// 170 = unknown (left out), 0 = background; predicted > 127 = foreground. The truth
/// PNGs are palette images, so the levels are taken with margins after conversion.
public struct MaskScore: Sendable, Equatable {
    public var truePositives = 0
    public var falsePositives = 0
    public var falseNegatives = 0

    public init() {}

    public var precision: Double { Double(truePositives) / Double(max(1, truePositives + falsePositives)) }
    public var recall: Double { Double(truePositives) / Double(max(1, truePositives + falseNegatives)) }
    public var f: Double {
        let p = precision, r = recall
        return p + r > 0 ? 2 * p * r / (p + r) : 0
    }

    /// A missing mask (the step reported none) counts as all background.
    public mutating func add(predicted: GrayImage?, truth: GrayImage, region: [UInt8]) {
        var tp = 0, fp = 0, fn = 0
        truth.pixels.withUnsafeBufferPointer { actual in
            region.withUnsafeBufferPointer { scored in
                if let predicted, predicted.pixels.count == actual.count {
                    predicted.pixels.withUnsafeBufferPointer { mask in
                        for i in 0..<actual.count where scored[i] != 0 && (actual[i] < 85 || actual[i] > 212) {
                            let moving = actual[i] > 212, marked = mask[i] > 127
                            if moving && marked { tp += 1 } else if marked { fp += 1 } else if moving { fn += 1 }
                        }
                    }
                } else {
                    for i in 0..<actual.count where scored[i] != 0 && actual[i] > 212 { fn += 1 }
                }
            }
        }
        truePositives += tp
        falsePositives += fp
        falseNegatives += fn
    }
}
