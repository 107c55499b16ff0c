/// Where each value of a JSON text starts, by its path (`features[2]`, `person_height_ratio`),
/// so a model file's error names the line to fix. Reads the bytes once; gives up quietly
/// (no lines) on text that is not JSON, whose syntax error the decoder reports itself.
struct JSONLocator {
    private(set) var lines: [String: Int] = [:]
    /// The line where the text stops being JSON, nil when all of it is.
    private(set) var syntaxErrorLine: Int?
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var valid = value(path: "")
        skipSpace()
        if index < bytes.count { valid = false }
        if !valid { syntaxErrorLine = line }
    }

    /// The line of the value at `path`, or of its nearest enclosing value that exists.
    func line(of path: [String]) -> Int? {
        var components = path
        while true {
            if let found = lines[Self.join(components)] { return found }
            if components.isEmpty { return nil }
            components.removeLast()
        }
    }

    static func join(_ components: [String]) -> String {
        components.reduce("") { path, component in
            component.hasPrefix("[") ? path + component : (path.isEmpty ? component : path + "." + component)
        }
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\n"): line += 1; index += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
    }

    /// Parses one value; false on anything that is not JSON.
    private mutating func value(path: String) -> Bool {
        skipSpace()
        guard index < bytes.count else { return false }
        lines[path] = line
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            skipSpace()
            if index < bytes.count && bytes[index] == UInt8(ascii: "}") { index += 1; return true }
            while true {
                skipSpace()
                guard let key = string() else { return false }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
                index += 1
                guard value(path: path.isEmpty ? key : path + "." + key) else { return false }
                skipSpace()
                guard index < bytes.count else { return false }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return true }
                return false
            }
        case UInt8(ascii: "["):
            index += 1
            skipSpace()
            if index < bytes.count && bytes[index] == UInt8(ascii: "]") { index += 1; return true }
            var element = 0
            while true {
                guard value(path: path + "[\(element)]") else { return false }
                element += 1
                skipSpace()
                guard index < bytes.count else { return false }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return true }
                return false
            }
        case UInt8(ascii: "\""):
            return string() != nil
        default:
            // Numbers, true, false, null: up to the next delimiter.
            let start = index
            while index < bytes.count, !",]} \t\r\n".utf8.contains(bytes[index]) { index += 1 }
            return index > start
        }
    }

    private mutating func string() -> String? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        let start = index
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if escaped { escaped = false; continue }
            if byte == UInt8(ascii: "\\") { escaped = true; continue }
            if byte == UInt8(ascii: "\"") { return String(decoding: bytes[start..<(index - 1)], as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return nil }
        }
        return nil
    }
}
