import Yams

/// One problem found in a configuration file, located precisely enough to fix it.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    /// Dotted path of the field, e.g. `cameras[0].zones[1].polygon[2]`.
    public var field: String
    public var line: Int?
    public var column: Int?
    public var message: String

    public var description: String {
        let location = line.map { "line \($0)" + (column.map { ", column \($0)" } ?? "") }
        return "\(field.isEmpty ? "(top level)" : field)\(location.map { " (\($0))" } ?? ""): \(message)"
    }
}

/// All the problems in a configuration file, so one run shows every mistake.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var issues: [ConfigIssue]
    public var description: String {
        (["\(file): \(issues.count == 1 ? "1 problem" : "\(issues.count) problems") in the configuration"]
            + issues.map { "  \($0)" }).joined(separator: "\n")
    }
}

public enum ConfigLoader {
    /// Reads and validates a configuration file.
    public static func load(path: String) throws -> VigilConfiguration {
        guard let text = readText(path) else {
            throw ConfigError(file: path, issues: [ConfigIssue(field: "", message: "cannot read the file")])
        }
        var configuration = try parse(yaml: text, file: path)
        // Paths in the file are relative to the file's folder, so a config and its
        // queue, state and models move together and work from any working directory.
        if configuration.queue != nil { configuration.queue!.path = resolve(configuration.queue!.path, relativeTo: path) }
        configuration.service.stateDirectory = resolve(configuration.service.stateDirectory, relativeTo: path)
        return configuration
    }

    /// `path` as written in the config file at `configFile`: absolute as is, else from the file's folder.
    public static func resolve(_ path: String, relativeTo configFile: String) -> String {
        if path.hasPrefix("/") || path.contains("://") { return path }
        guard let slash = configFile.lastIndex(of: "/") else { return path }
        return String(configFile[...slash]) + path
    }

    /// Parses and validates configuration text; `file` only names it in errors.
    public static func parse(yaml: String, file: String = "config") throws -> VigilConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigError(file: file, issues: [syntaxIssue(error)])
        }
        var reader = NodeReader()
        guard let root else {
            throw ConfigError(file: file, issues: [ConfigIssue(field: "", message: "the file is empty; it needs at least a `cameras` list")])
        }
        let configuration = reader.configuration(root)
        if !reader.issues.isEmpty { throw ConfigError(file: file, issues: reader.issues) }
        return configuration
    }

    private static func syntaxIssue(_ error: YamlError) -> ConfigIssue {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let text = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return ConfigIssue(field: "", line: mark.line, column: mark.column, message: "YAML syntax error: \(text)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return ConfigIssue(field: "", line: context.mark.line, column: context.mark.column,
                               message: "duplicate key(s) \(duplicates.joined(separator: ", ")) in one mapping")
        default:
            return ConfigIssue(field: "", message: "YAML syntax error: \(error)")
        }
    }

    private static func readText(_ path: String) -> String? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count > 0 { bytes.append(contentsOf: chunk[0..<count]) }
            if count < chunk.count { break }
        }
        if ferror(file) != 0 { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
