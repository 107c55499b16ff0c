import FoundationEssentials
import VigilVision

/// Model files under Models/: found, read and checked here, so a bad file is a clear
/// error naming the file, never a silent fallback.
public enum ModelFiles {
    public struct LoadError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        /// The field's path in the file (`coefficients[1]`) and the line it is on, when known.
        public var field: String? = nil
        public var line: Int? = nil
        public var description: String {
            let place = [field.map { "field '\($0)'" }, line.map { "line \($0)" }].compactMap { $0 }.joined(separator: ", ")
            return "\(path): " + (place.isEmpty ? "" : place + ": ") + reason
        }
    }

    /// The error with the field's path and its line in `data`.
    static func located(_ path: String, _ reason: String, _ codingPath: [String], in data: Data) -> LoadError {
        let locator = JSONLocator(Array(data))
        let snake = codingPath.map { component in
            component.hasPrefix("[") ? component : component.reduce(into: "") { text, character in
                if character.isUppercase { text += "_" + character.lowercased() } else { text.append(character) }
            }
        }
        let line = locator.line(of: snake) ?? locator.line(of: codingPath)
        return LoadError(path: path, reason: reason, field: codingPath.isEmpty ? nil : JSONLocator.join(snake), line: line)
    }

    static func components(_ codingPath: [CodingKey]) -> [String] {
        codingPath.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
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
        let data = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
        guard CrowdModel.columns(model.features) == model.coefficients.count, !model.features.isEmpty else {
            throw located(path, "\(model.features.count) feature(s) taking \(CrowdModel.columns(model.features)) coefficient(s) but \(model.coefficients.count) given", ["coefficients"], in: data)
        }
        if let bad = model.coefficients.firstIndex(where: { !$0.isFinite }) {
            throw located(path, "a coefficient is not a finite number", ["coefficients", "[\(bad)]"], in: data)
        }
        guard model.intercept.isFinite else {
            throw located(path, "the intercept is not a finite number", ["intercept"], in: data)
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
            if context.codingPath.isEmpty {
                let line = JSONLocator(Array(data)).syntaxErrorLine
                throw LoadError(path: path, reason: "not valid JSON: \(context.debugDescription)", line: line)
            }
            throw located(path, "a bad value: \(context.debugDescription)", components(context.codingPath), in: data)
        } catch let DecodingError.typeMismatch(type, context) {
            throw located(path, "has the wrong type (expected \(type))", components(context.codingPath), in: data)
        } catch let DecodingError.valueNotFound(type, context) {
            throw located(path, "is null (expected \(type))", components(context.codingPath), in: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw located(path, "the required field '\(key.stringValue)' is missing here", components(context.codingPath), in: data)
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
