import Foundation
import Testing
import VigilPipeline
import VigilVision

/// The model files in Models/ are what a fresh install runs with; the built-in fallbacks
/// must say the same thing, or a missing file would silently change the counts.
@Suite("Shipped model files")
struct ShippedModelTests {
    static var models: String { RealFootageTests.repository.appendingPathComponent("Models").path }

    @Test("Models/crowd.json loads and is the built-in perspective-only model")
    func crowdDefault() throws {
        let model = try ModelFiles.crowdModel(at: Self.models + "/crowd.json")
        #expect(model == CrowdModel.perspectiveOnly)
    }

    @Test("Models/classes.json loads")
    func classes() throws {
        _ = try ModelFiles.classifier(at: Self.models + "/classes.json")
    }
}
