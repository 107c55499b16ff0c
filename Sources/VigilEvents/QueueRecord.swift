import FoundationEssentials

/// The on-disk form of one event: its JSON object on one line, ending with a
/// CRC-32C of everything before the checksum field:
///
///     {"camera":"gate",…,"offset":42,…,"crc32c":"1a2b3c4d"}
///
/// so jq and tail read segments directly, while a torn or corrupted line is
/// detected instead of being parsed as an event.
public enum QueueRecord {
    static let checksumKey = Array(",\"crc32c\":\"".utf8)
    /// `,"crc32c":"` + 8 hex digits + `"}`
    static let suffixLength = checksumKey.count + 8 + 2

    public enum DecodeError: Error, Equatable, CustomStringConvertible {
        case missingChecksum, checksumMismatch, notJSON(String), noOffset
        public var description: String {
            switch self {
            case .missingChecksum: return "no checksum at the end of the record"
            case .checksumMismatch: return "checksum does not match: the record is damaged"
            case let .notJSON(reason): return "not a valid event: \(reason)"
            case .noOffset: return "the record has no offset"
            }
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The line for `event` at `offset`, newline included.
    public static func encode(_ event: Event, offset: UInt64) throws -> [UInt8] {
        var stamped = event
        stamped.offset = offset
        var bytes = Array(try encoder.encode(stamped))
        precondition(bytes.last == UInt8(ascii: "}"), "events encode as JSON objects")
        bytes.removeLast()
        let checksum = CRC32C.checksum(bytes)
        bytes.append(contentsOf: checksumKey)
        bytes.append(contentsOf: hex8(checksum))
        bytes.append(contentsOf: Array("\"}\n".utf8))
        return bytes
    }

    /// Verifies the checksum of one line (without its newline) and returns the offset.
    /// Cheap: the JSON itself is not parsed.
    public static func verify(_ line: UnsafeRawBufferPointer) throws -> UInt64 {
        guard line.count > suffixLength, line[line.count - 1] == UInt8(ascii: "}"), line[line.count - 2] == UInt8(ascii: "\"") else {
            throw DecodeError.missingChecksum
        }
        let keyStart = line.count - suffixLength
        for (index, byte) in checksumKey.enumerated() where line[keyStart + index] != byte { throw DecodeError.missingChecksum }
        guard let stored = parseHex8(line, from: keyStart + checksumKey.count) else { throw DecodeError.missingChecksum }
        let body = UnsafeRawBufferPointer(rebasing: line[0..<keyStart])
        guard CRC32C.checksum(body) == stored else { throw DecodeError.checksumMismatch }
        guard let offset = findOffset(body) else { throw DecodeError.noOffset }
        return offset
    }

    public static func verify(_ line: [UInt8]) throws -> UInt64 {
        try line.withUnsafeBytes { try verify($0) }
    }

    /// Decodes a verified line into an event.
    public static func decode(_ line: [UInt8]) throws -> Event {
        _ = try verify(line)
        do {
            return try JSONDecoder().decode(Event.self, from: Data(line))
        } catch {
            throw DecodeError.notJSON("\(error)")
        }
    }

    /// Finds `"offset":N` at the top level; keys are sorted and values never contain
    /// that exact byte sequence unescaped, except inside strings, which we skip.
    static func findOffset(_ body: UnsafeRawBufferPointer) -> UInt64? {
        let key = Array("\"offset\":".utf8)
        var depth = 0, inString = false, escaped = false
        var index = 0
        while index < body.count {
            let byte = body[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                index += 1
                continue
            }
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth += 1 }
            else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") { depth -= 1 }
            else if byte == UInt8(ascii: "\"") {
                if depth == 1 && index + key.count < body.count && (0..<key.count).allSatisfy({ body[index + $0] == key[$0] }) {
                    var value: UInt64 = 0
                    var cursor = index + key.count
                    var digits = 0
                    while cursor < body.count, body[cursor] >= 48, body[cursor] <= 57 {
                        value = value &* 10 &+ UInt64(body[cursor] - 48)
                        cursor += 1; digits += 1
                    }
                    return digits > 0 ? value : nil
                }
                inString = true
            }
            index += 1
        }
        return nil
    }

    static func hex8(_ value: UInt32) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        return (0..<8).map { digits[Int((value >> (28 - 4 * UInt32($0))) & 0xF)] }
    }

    static func parseHex8(_ bytes: UnsafeRawBufferPointer, from start: Int) -> UInt32? {
        var value: UInt32 = 0
        for index in start..<(start + 8) {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case 48...57: digit = UInt32(byte - 48)
            case 97...102: digit = UInt32(byte - 87)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }
}
