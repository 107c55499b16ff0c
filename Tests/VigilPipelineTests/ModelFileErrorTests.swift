import Foundation
import Testing
@testable import VigilPipeline

/// Every problem in a model file names the field and the line to fix.
@Suite("Model files: errors name field and line")
struct ModelFileErrorTests {
    func error(_ json: String, crowd: Bool = false) throws -> ModelFiles.LoadError? {
        let path = NSTemporaryDirectory() + "vigil-model-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            if crowd { _ = try ModelFiles.crowdModel(at: path) } else { _ = try ModelFiles.classifier(at: path) }
            return nil
        } catch let error as ModelFiles.LoadError {
            return error
        }
    }

    @Test("a wrong type in an object-class model")
    func wrongType() throws {
        let found = try error("{\n  \"kind\": \"vigil-object-classes\",\n  \"version\": 1,\n  \"person_height_ratio\": \"tall\"\n}\n")
        #expect(found?.field == "person_height_ratio")
        #expect(found?.line == 4)
        #expect(found?.description.contains("field 'person_height_ratio', line 4") == true, "\(String(describing: found))")
    }

    @Test("a crowd model whose coefficients do not match its features (`sizes` takes 18), and a missing field")
    func crowdModel() throws {
        let mismatch = try error("""
        {
          "kind": "vigil-crowd-model", "version": 1,
          "features": ["area", "units"],
          "coefficients": [
            1.5
          ],
          "intercept": 0
        }
        """, crowd: true)
        #expect(mismatch?.field == "coefficients" && mismatch?.line == 4, "\(String(describing: mismatch))")
        // `sizes` takes 18 coefficients: one for it alone is refused, 1 + 18 with `texture` loads.
        let short = try error(#"{"kind": "vigil-crowd-model", "version": 1, "features": ["sizes"], "coefficients": [1], "intercept": 0}"#, crowd: true)
        #expect(short?.field == "coefficients" && short?.reason.contains("18") == true, "\(String(describing: short))")
        let full = "[" + Array(repeating: "0.5", count: 19).joined(separator: ", ") + "]"
        #expect(try error(#"{"kind": "vigil-crowd-model", "version": 1, "features": ["texture", "sizes"], "coefficients": "# + full + #", "intercept": 0}"#, crowd: true) == nil)
        let missing = try error("{\n  \"kind\": \"vigil-crowd-model\",\n  \"version\": 1\n}\n", crowd: true)
        #expect(missing?.line == 1 && missing?.reason.contains("is missing") == true, "\(String(describing: missing))")
    }

    @Test("a syntax error says where")
    func syntax() throws {
        let found = try error("{\n  \"kind\": \"vigil-object-classes\",\n  \"version\": 1,\n  oops\n}\n")
        #expect(found?.reason.contains("not valid JSON") == true)
        #expect(found?.description.contains("line 4") == true, "\(String(describing: found))")
    }
}
