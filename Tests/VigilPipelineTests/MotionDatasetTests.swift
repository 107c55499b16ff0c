import Foundation
import Testing
import VigilTestSupport
import VigilVision

/// Both background models on the five hand-annotated sequences of
/// ../shared/datasets/motion (see its README), scored per pixel over each sequence's
/// evaluated frames as the README says. The floors sit 0.02 under what each model
/// measured (BENCHMARKS.md, issue 12): the models are deterministic (seeded random
/// numbers), so a drop below a floor is a real change in the masks.
@Suite("Motion on hand-annotated sequences")
struct MotionDatasetTests {
    /// F floors per sequence: consensus, adaptive.
    static let floors: [String: (consensus: Double, adaptive: Double)] = [
        "HighwayII": (0.927, 0.904), "CAVIAR1": (0.919, 0.829), "HallAndMonitor": (0.845, 0.527),
        "Candela_m1.10": (0.774, 0.664), "Board": (0.860, 0.330),
    ]

    @Test("per-sequence F floors for each model, and consensus ahead of adaptive on every sequence",
          arguments: MotionSequence.names)
    func sequence(name: String) throws {
        let directory = try #require(MotionSequence.datasetDirectory, "../shared/datasets/motion is missing beside the checkout")
        let sequence = try MotionSequence(directory: directory + "/" + name)
        let floor = try #require(Self.floors[name])
        var consensus: any MotionModel = MotionModelKind.consensus.make(MotionSettings())
        var adaptive: any MotionModel = MotionModelKind.adaptive.make(MotionSettings())
        let a = sequence.score(&consensus).score, b = sequence.score(&adaptive).score
        // The thing scored happened: the truth has moving pixels and each model marked some.
        #expect(a.truePositives + a.falseNegatives > 10_000)
        #expect(a.truePositives > 0 && b.truePositives > 0)
        #expect(a.f >= floor.consensus, "consensus F \(a.f) (P \(a.precision), R \(a.recall))")
        #expect(b.f >= floor.adaptive, "adaptive F \(b.f) (P \(b.precision), R \(b.recall))")
        #expect(a.f > b.f + 0.02, "consensus \(a.f), adaptive \(b.f)")
    }
}
