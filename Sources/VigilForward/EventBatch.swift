import VigilEvents

/// Records read from the queue, to be stored in one transaction. The lines go as they are
/// in the segment (the database parses them into `jsonb`): nothing is re-encoded.
public struct EventBatch: Sendable {
    public var offsets: [Int64] = []
    public var lines: [String] = []
    /// UTC days (`YYYY-MM-DD`) the events fall on: their partitions must exist.
    public var days: Set<String> = []
    /// The queue's next offset after this batch: what the group commits once it is stored.
    public var nextOffset: UInt64

    public init(nextOffset: UInt64) { self.nextOffset = nextOffset }

    public var isEmpty: Bool { offsets.isEmpty }
    public var count: Int { offsets.count }

    /// Adds a record; a line without a readable time (nothing the queue accepts) is left out
    /// and reported by the caller.
    public mutating func add(_ record: StoredRecord) -> Bool {
        guard let day = Self.day(record.line) else { return false }
        offsets.append(Int64(record.offset))
        lines.append(String(decoding: record.line, as: UTF8.self))
        days.insert(day)
        return true
    }

    /// The date part of the top-level `"time":"YYYY-MM-DD…"`. Keys are sorted in a record and
    /// `data` (the only nested object) sorts before `time`, so the first `"time":"` at depth 1
    /// is found by scanning without parsing the whole record.
    static func day(_ line: [UInt8]) -> String? {
        let key = Array("\"time\":\"".utf8)
        var depth = 0, inString = false, escaped = false, index = 0
        while index < line.count {
            let byte = line[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            case UInt8(ascii: "\""):
                if depth == 1, index + key.count + 10 <= line.count, line[index + 1] == UInt8(ascii: "t"), line[index..<(index + key.count)].elementsEqual(key) {
                    let start = index + key.count
                    let text = String(decoding: line[start..<(start + 10)], as: UTF8.self)
                    return isCalendarDay(text) ? text : nil
                }
                inString = true
            default: break
            }
            index += 1
        }
        return nil
    }

    /// A date PostgreSQL will take: a month of 12, a day within its month.
    static func isCalendarDay(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              year >= 1, (1...12).contains(month) else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...lengths[month - 1]).contains(day)
    }
}
