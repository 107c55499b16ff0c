#if canImport(Glibc)
import Glibc
#endif
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
        let text: String
        switch readText(path) {
        case let .text(read): text = read
        case let .failure(issue): throw ConfigError(file: path, issues: [issue])
        }
        return resolvingPaths(try parse(yaml: text, file: path), configFile: path)
    }

    /// Every path in the file (sources, models, queue, state, console files) made relative
    /// to the file's folder, once, here: so a config and its queue, state, clips and models
    /// move together, and every command (analyze, worker, run, validate, console) reads the
    /// same file the same way from any working directory. URLs stay as they are.
    public static func resolvingPaths(_ parsed: VigilConfiguration, configFile path: String) -> VigilConfiguration {
        var configuration = parsed
        if configuration.queue != nil { configuration.queue!.path = resolve(configuration.queue!.path, relativeTo: path) }
        configuration.service.stateDirectory = resolve(configuration.service.stateDirectory, relativeTo: path)
        for index in configuration.cameras.indices {
            configuration.cameras[index].source = resolve(configuration.cameras[index].source, relativeTo: path)
            configuration.cameras[index].recordSource = configuration.cameras[index].recordSource.map { resolve($0, relativeTo: path) }
            configuration.cameras[index].model = configuration.cameras[index].model.map { resolve($0, relativeTo: path) }
            configuration.cameras[index].classesModel = configuration.cameras[index].classesModel.map { resolve($0, relativeTo: path) }
        }
        if var console = configuration.console {
            console.usersFile = console.usersFile.map { resolve($0, relativeTo: path) }
            console.indexPath = console.indexPath.map { resolve($0, relativeTo: path) }
            configuration.console = console
        }
        if var forward = configuration.forward {
            forward.passwordFile = forward.passwordFile.map { resolve($0, relativeTo: path) }
            configuration.forward = forward
        }
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
        let yaml = yaml.hasPrefix("\u{FEFF}") ? String(yaml.dropFirst()) : yaml
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

    /// A configuration is a few kilobytes; the limit keeps a wrong file (a video, a log)
    /// from being parsed into gigabytes of YAML nodes.
    public static let largestFile = 4 << 20

    enum ReadResult { case text(String), failure(ConfigIssue) }

    static func readText(_ path: String) -> ReadResult {
        var status = stat()
        guard stat(path, &status) == 0 else {
            return .failure(ConfigIssue(field: "", message: "cannot read the file: \(String(cString: strerror(errno)))"))
        }
        if (status.st_mode & S_IFMT) == S_IFDIR { return .failure(ConfigIssue(field: "", message: "is a folder, not a configuration file")) }
        if (status.st_mode & S_IFMT) == S_IFREG && Int(status.st_size) > largestFile {
            return .failure(ConfigIssue(field: "", message: "the file is \(Int(status.st_size) >> 20) MiB; a configuration may be at most \(largestFile >> 20) MiB"))
        }
        guard let file = fopen(path, "rb") else {
            return .failure(ConfigIssue(field: "", message: "cannot read the file: \(String(cString: strerror(errno)))"))
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count > 0 { bytes.append(contentsOf: chunk[0..<count]) }
            if bytes.count > largestFile {
                return .failure(ConfigIssue(field: "", message: "the file is over \(largestFile >> 20) MiB, the most a configuration may be"))
            }
            if count < chunk.count { break }
        }
        if ferror(file) != 0 { return .failure(ConfigIssue(field: "", message: "cannot read the file: \(String(cString: strerror(errno)))")) }
        return decodeText(bytes)
    }

    /// UTF-8 text without a byte-order mark (editors on Windows add one); bytes that are
    /// not UTF-8 are an error at their line, never replacement characters in ids and events.
    static func decodeText(_ bytes: [UInt8]) -> ReadResult {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if let text = String(validating: body, as: UTF8.self) { return .text(text) }
        // Find the first byte that breaks UTF-8, to name its line and column.
        var line = 1, lineStart = body.startIndex
        var index = body.startIndex
        while index < body.endIndex {
            let byte = body[index]
            let length = byte < 0x80 ? 1 : byte >> 5 == 0b110 ? 2 : byte >> 4 == 0b1110 ? 3 : byte >> 3 == 0b11110 ? 4 : 0
            let end = index + max(length, 1)
            if length == 0 || end > body.endIndex || String(validating: body[index..<end], as: UTF8.self) == nil {
                let hex = String(byte, radix: 16, uppercase: true)
                return .failure(ConfigIssue(field: "", line: line, column: index - lineStart + 1,
                                            message: "the file is not valid UTF-8 (byte 0x\(hex)); save it as UTF-8"))
            }
            if byte == UInt8(ascii: "\n") { line += 1; lineStart = end }
            index = end
        }
        return .text(String(decoding: body, as: UTF8.self))
    }
}
