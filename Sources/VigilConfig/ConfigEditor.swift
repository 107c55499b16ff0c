import Foundation
import Yams

/// Edits one camera's drawn settings (`zones`, `lines`, `perspective`, `ground`) in the text
/// of a configuration file, leaving every other line as it was: other cameras, other keys of
/// this camera, and comments. The result is validated by the same reader `vigil validate`
/// uses before anyone writes it.
public enum ConfigEditor {
    /// The keys the console's editor owns.
    public static let editableKeys = ["zones", "lines", "perspective", "ground"]

    public struct EditError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The camera's editable settings as they are in the file (keys absent from it are left out).
    public static func layout(of camera: String, in text: String) throws -> [String: LayoutValue] {
        let (_, item) = try locate(camera, in: text)
        var result: [String: LayoutValue] = [:]
        for (key, node) in item.mapping! where editableKeys.contains(key.string ?? "") { result[key.string!] = value(node) }
        return result
    }

    /// The file's text with the camera's editable keys replaced by `layout` (a key missing
    /// from `layout` or given an empty list is removed). Throws `ConfigError` when the result
    /// does not validate, with every problem and its field.
    public static func apply(_ layout: [String: LayoutValue], to camera: String, in text: String, file: String = "config") throws -> String {
        if let unknown = layout.keys.first(where: { !editableKeys.contains($0) }) {
            throw EditError(description: "'\(unknown)' cannot be edited here; the editor changes \(editableKeys.joined(separator: ", "))")
        }
        let (root, item) = try locate(camera, in: text)
        var lines = text.components(separatedBy: "\n")
        let range = itemLines(item, root: root, lines: lines)
        let keys = item.mapping!.map { (name: $0.key.string ?? "", line: $0.key.mark!.line, column: $0.key.mark!.column) }
        let firstKey = keys.min { ($0.line, $0.column) < ($1.line, $1.column) }!
        let flow = item.mark!.column < firstKey.column || keys.contains { $0.line == firstKey.line && $0.name != firstKey.name }
        let wanted = editableKeys.compactMap { key -> (String, LayoutValue)? in
            guard let value = layout[key] else { return nil }
            if case let .list(items) = value, items.isEmpty { return nil }
            return (key, value)
        }
        if flow {
            // A one-line `- { id: …, … }` camera: written out again in block style.
            var entries: [(Node, Node)] = item.mapping!.filter { !editableKeys.contains($0.key.string ?? "") }.map { ($0.key, $0.value) }
            entries += wanted.map { (Node($0.0), node($0.1)) }
            let body = try Yams.serialize(node: .mapping(.init(entries)), allowUnicode: true).split(separator: "\n", omittingEmptySubsequences: false)
            let dash = String(repeating: " ", count: item.mark!.column - 1 - 2)
            let written = body.filter { !$0.isEmpty }.enumerated().map { index, line in (index == 0 ? dash + "- " : dash + "  ") + line }
            lines.replaceSubrange(range, with: written)
        } else {
            // Block style: each editable key's lines are replaced where they are; new keys go at the end.
            let indent = String(repeating: " ", count: firstKey.column - 1)
            let ordered = keys.sorted { $0.line < $1.line }
            var edits: [(range: Range<Int>, text: [String])] = []
            for key in ordered where editableKeys.contains(key.name) {
                let next = ordered.first { $0.line > key.line }?.line ?? (range.upperBound + 1)
                var end = min(next - 1, range.upperBound)  // 1-based, inclusive
                while end > key.line && isBlankOrComment(lines[end - 1]) { end -= 1 }
                let replacement = try wanted.first { $0.0 == key.name }.map { try emit($0.0, $0.1, indent: indent) } ?? []
                edits.append(((key.line - 1)..<end, replacement))
            }
            let present = Set(ordered.map(\.name))
            let added = try wanted.filter { !present.contains($0.0) }.flatMap { try emit($0.0, $0.1, indent: indent) }
            if !added.isEmpty { edits.append((range.upperBound..<range.upperBound, added)) }
            for edit in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) { lines.replaceSubrange(edit.range, with: edit.text) }
        }
        let result = lines.joined(separator: "\n")
        _ = try ConfigLoader.parse(yaml: result, file: file)
        return result
    }

    /// Replaces the file: the old one kept as `FILE.YYYYMMDD-HHMMSS.bak`, the new one written to a
    /// temporary file, synced and renamed over it, so a reader sees the old file or the new.
    /// Returns the backup's path.
    @discardableResult
    public static func save(_ text: String, to path: String, now: Date = Date()) throws -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        var backup = path + "." + formatter.string(from: now) + ".bak"
        var suffix = 1
        while FileManager.default.fileExists(atPath: backup) { backup = path + "." + formatter.string(from: now) + "-\(suffix).bak"; suffix += 1 }
        try FileManager.default.copyItem(atPath: path, toPath: backup)
        let temporary = path + ".saving"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw EditError(description: "\(temporary): cannot write: \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if count < 0 { if errno == EINTR { continue }; let reason = String(cString: strerror(errno)); close(descriptor); unlink(temporary); throw EditError(description: "\(temporary): \(reason)") }
            written += count
        }
        guard fsync(descriptor) == 0 else { let reason = String(cString: strerror(errno)); close(descriptor); unlink(temporary); throw EditError(description: "\(temporary): \(reason)") }
        close(descriptor)
        guard rename(temporary, path) == 0 else { let reason = String(cString: strerror(errno)); unlink(temporary); throw EditError(description: "\(path): \(reason)") }
        let folder = (path as NSString).deletingLastPathComponent
        let directory = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 { fsync(directory); close(directory) }
        return backup
    }

    // MARK: Finding the camera

    static func locate(_ camera: String, in text: String) throws -> (root: Node, item: Node) {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch { throw EditError(description: "the file is not valid YAML: \(error)") }
        guard let root, let cameras = root.mapping?["cameras"]?.sequence else { throw EditError(description: "the file has no cameras list") }
        guard let item = cameras.first(where: { $0.mapping?["id"]?.string == camera }), item.mapping != nil, item.mark != nil else {
            throw EditError(description: "the file has no camera '\(camera)'")
        }
        return (root, item)
    }

    /// The item's lines, 0-based half-open, without the blank and comment lines that follow
    /// it (they belong to what comes next).
    static func itemLines(_ item: Node, root: Node, lines: [String]) -> Range<Int> {
        let start = item.mark!.line - 1
        let cameras = root.mapping!["cameras"]!.sequence!
        let cameraKeyLine = root.mapping!.first { $0.key.string == "cameras" }!.key.mark!.line
        var end = lines.count  // exclusive
        if let next = cameras.compactMap(\.mark).map(\.line).filter({ $0 > item.mark!.line }).min() { end = next - 1 }
        else if let after = root.mapping!.compactMap({ $0.key.mark?.line }).filter({ $0 > cameraKeyLine }).min() { end = after - 1 }
        // A following item's dash sits on its own first key's line; a comment above it is not ours.
        while end > start + 1 && isBlankOrComment(lines[end - 1]) { end -= 1 }
        return start..<end
    }

    static func isBlankOrComment(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty || trimmed.hasPrefix("#")
    }

    // MARK: Values and nodes

    static func emit(_ key: String, _ value: LayoutValue, indent: String) throws -> [String] {
        let text = try Yams.serialize(node: .mapping(.init([(Node(key), node(value))])), allowUnicode: true)
        return text.split(separator: "\n", omittingEmptySubsequences: true).map { indent + $0 }
    }

    /// Points and short lists of numbers in flow style (`[0.3, 0.7]`), everything else in block style.
    static func node(_ value: LayoutValue) -> Node {
        switch value {
        case let .number(number):
            let rounded = (number * 1000).rounded() / 1000
            let text = rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int(rounded)) : String(rounded)
            return Node(text, Tag(.float), .plain)
        case let .string(text):
            // Ids and names stay plain where YAML reads them back as the same text.
            let plain = !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." || $0 == " " }
                && text.first!.isLetter && text.last != " " && !["true", "false", "yes", "no", "on", "off", "null", "y", "n"].contains(text.lowercased())
            return Node(text, Tag(.str), plain ? .plain : .doubleQuoted)
        case let .bool(flag): return Node(flag ? "true" : "false", Tag(.bool), .plain)
        case let .list(items):
            let flow = items.allSatisfy { item in
                if case .number = item { return true }
                if case .string = item { return true }
                if case let .list(inner) = item { return inner.allSatisfy { if case .number = $0 { return true } else { return false } } }
                return false
            }
            return .sequence(.init(items.map(node), Tag(.seq), flow ? .flow : .block))
        case let .map(entries):
            // Small rule settings read best on one line: `intrusion: { classes: [person] }`.
            let flow = entries.count <= 3 && entries.allSatisfy { entry in
                if case .map = entry.value { return false }
                if case let .list(items) = entry.value { return items.count <= 8 && items.allSatisfy { if case .list = $0 { return false } else { return true } } }
                return true
            }
            return .mapping(.init(entries.map { (Node($0.key), node($0.value)) }, Tag(.map), flow ? .flow : .block))
        }
    }

    static func value(_ node: Node) -> LayoutValue {
        switch node {
        case let .scalar(scalar):
            if scalar.style == .plain {
                if let number = Double(scalar.string) { return .number(number) }
                if ["true", "false"].contains(scalar.string) { return .bool(scalar.string == "true") }
            }
            return .string(scalar.string)
        case let .sequence(sequence): return .list(sequence.map(value))
        case let .mapping(mapping): return .map(mapping.map { LayoutValue.Entry($0.key.string ?? "", value($0.value)) })
        case .alias: return .string("")
        }
    }
}
