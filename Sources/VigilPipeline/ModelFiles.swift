import FoundationEssentials
import VigilVision

/// Model files under Models/: found, read and checked here, so a bad file is a clear
/// error naming the file, never a silent fallback.
public enum ModelFiles {
    public struct LoadError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    struct Header: Decodable {
        var kind: String?
        var version: Int?
    }

    public static let classesKind = "vigil-object-classes"

    /// Reads an object-class model (Models/classes.json format).
    public static func classifier(at path: String) throws -> ObjectClassifier {
        try load(ObjectClassifier.self, at: path, kind: classesKind, what: "an object-class model", decoder: JSONDecoder())
    }

    public static let crowdKind = "vigil-crowd-model"

    /// Reads a people-count model written by `vigil calibrate`.
    public static func crowdModel(at path: String) throws -> CrowdModel {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let model = try load(CrowdModel.self, at: path, kind: crowdKind, what: "a crowd model", decoder: decoder)
        guard model.features.count == model.coefficients.count, !model.features.isEmpty else {
            throw LoadError(path: path, reason: "\(model.features.count) feature(s) but \(model.coefficients.count) coefficient(s)")
        }
        guard (model.coefficients + [model.intercept]).allSatisfy(\.isFinite) else {
            throw LoadError(path: path, reason: "a coefficient is not a finite number")
        }
        return model
    }

    /// Writes a crowd model as `vigil calibrate` does: readable JSON with snake_case keys.
    public static func write(_ model: CrowdModel, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try (encoder.encode(model) + Data("\n".utf8)).write(to: URL(fileURLWithPath: path))
    }

    static func load<Model: Decodable>(_ type: Model.Type, at path: String, kind: String, what: String, decoder: JSONDecoder) throws -> Model {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LoadError(path: path, reason: "cannot read the model file (\(FileManager.default.fileExists(atPath: path) ? "unreadable" : "no such file"))")
        }
        do {
            let header = try JSONDecoder().decode(Header.self, from: data)
            guard header.kind == kind else {
                throw LoadError(path: path, reason: "not \(what): \"kind\" is \(header.kind.map { "'\($0)'" } ?? "missing"), expected '\(kind)'")
            }
            guard header.version == 1 else {
                throw LoadError(path: path, reason: "model version \(header.version.map(String.init) ?? "missing") is not supported (this Vigil reads version 1)")
            }
            return try decoder.decode(Model.self, from: data)
        } catch let error as LoadError {
            throw error
        } catch let DecodingError.dataCorrupted(context) {
            throw LoadError(path: path, reason: "not valid JSON or a bad value: \(context.debugDescription)")
        } catch let DecodingError.typeMismatch(_, context) {
            throw LoadError(path: path, reason: "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch let DecodingError.keyNotFound(key, _) {
            throw LoadError(path: path, reason: "'\(key.stringValue)' is missing")
        } catch {
            throw LoadError(path: path, reason: "\(error)")
        }
    }

    /// Where the shipped default lives: Models/classes.json in the working folder, or
    /// beside the executable (a build in .build/…/vigil, or an install in bin/ with
    /// share/vigil/Models).
    public static func defaultClassesPath(executable: String = CommandLine.arguments.first ?? "") -> String? {
        shippedPath("classes.json", executable: executable)
    }

    /// The shipped people-count model (Models/crowd.json), found as `defaultClassesPath`.
    public static func defaultCrowdPath(executable: String = CommandLine.arguments.first ?? "") -> String? {
        shippedPath("crowd.json", executable: executable)
    }

    static func shippedPath(_ name: String, executable: String) -> String? {
        var candidates = ["Models/\(name)"]
        let binary = URL(fileURLWithPath: executable).deletingLastPathComponent()
        candidates.append(binary.appendingPathComponent("../../../Models/\(name)").path)
        candidates.append(binary.appendingPathComponent("../share/vigil/Models/\(name)").path)
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }
}
