/// Why an event was refused. The message names the field.
public struct EventValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String
    public var description: String { "\(field): \(message)" }
}

extension Event {
    /// Checks what the JSON Schema (Schemas/event.schema.json) states, so nothing the
    /// schema rejects ever reaches the queue.
    public func validate() throws {
        func fail(_ field: String, _ message: String) throws -> Never { throw EventValidationError(field: field, message: message) }
        if v != 1 { try fail("v", "unsupported version \(v); this Vigil writes and reads version 1") }
        if id.isEmpty || id.count > 128 { try fail("id", "must be 1 to 128 characters") }
        if !Self.isIdentifier(camera) { try fail("camera", "must be letters, digits, '-', '_' or '.', found '\(camera)'") }
        if let site, !(Self.isIdentifier(site) && site.count <= 63) { try fail("site", "must be 1 to 63 letters, digits, '-', '_' or '.', found '\(site)'") }
        if !UTCTime.isValid(time) { try fail("time", "must be ISO 8601 UTC like 2026-11-23T08:30:00.000Z, found '\(time)'") }
        if let frame, frame < 0 { try fail("frame", "must not be negative") }
        if let pts, !(pts >= 0) { try fail("pts", "must be a number ≥ 0") }
        if type.isDurational && state == nil { try fail("state", "\(type.rawValue) events must say start or end") }
        if !type.isDurational && state != nil { try fail("state", "\(type.rawValue) events are instantaneous and take no state") }
        if type.requiresZone && (zone ?? "").isEmpty { try fail("zone", "\(type.rawValue) events must name their zone") }
        if type.requiresLine && (line ?? "").isEmpty { try fail("line", "\(type.rawValue) events must name their line") }
        if type == .lineCrossing && (direction ?? "").isEmpty { try fail("direction", "line_crossing events must name the direction") }
        if type == .acknowledgement {
            guard case let .int(target)? = data?["acknowledges"], target >= 0 else { try fail("data.acknowledges", "an acknowledgement names the acknowledged event's offset") }
            guard case let .string(user)? = data?["user"], !user.isEmpty else { try fail("data.user", "an acknowledgement names who acknowledged") }
            if let note = data?["note"] { guard case .string = note else { try fail("data.note", "must be text") } }
        }
        if let track, track < 0 { try fail("track", "must not be negative") }
        if let bbox {
            if bbox.count != 4 { try fail("bbox", "must be [x, y, width, height]") }
            if bbox.contains(where: { !($0 >= 0 && $0 <= 1) }) { try fail("bbox", "values are normalized: 0…1") }
        }
        if let snapshot {
            if snapshot.hasPrefix("/") || snapshot.split(separator: "/").contains("..") || snapshot.isEmpty {
                try fail("snapshot", "must be a path inside the queue folder, found '\(snapshot)'")
            }
        }
        if let clip, clip.hasPrefix("/") || clip.split(separator: "/").contains("..") || clip.isEmpty {
            try fail("clip", "must be a path inside the queue folder, found '\(clip)'")
        }
        if clip != nil && clipState == nil { try fail("clip_state", "an event with a clip says whether it is recording, ready or failed") }
        if clip == nil && clipState != nil { try fail("clip", "clip_state needs the clip's path") }
        if type == .clipReady {
            if clip == nil { try fail("clip", "a clip_ready event names its clip") }
            if clipState == .recording { try fail("clip_state", "a clip_ready event's clip is ready or failed") }
        }
    }

    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 128 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }
}

/// Event ids: random, 128 bits, hex.
public enum EventID {
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64, low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// Wall-clock times as ISO 8601 UTC strings with milliseconds.
public enum UTCTime {
    public static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return format(seconds: Int(spec.tv_sec), milliseconds: Int(spec.tv_nsec) / 1_000_000)
    }

    public static func format(seconds: Int, milliseconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds), 3))Z"
    }

    /// Seconds since the epoch of a valid time string (fraction dropped).
    public static func epochSeconds(_ text: String) -> Int? {
        guard isValid(text) else { return nil }
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int32 { bytes[range].reduce(0) { $0 * 10 + Int32($1 - 48) } }
        var parts = tm()
        parts.tm_year = number(0..<4) - 1900
        parts.tm_mon = number(5..<7) - 1
        parts.tm_mday = number(8..<10)
        parts.tm_hour = number(11..<13)
        parts.tm_min = number(14..<16)
        parts.tm_sec = number(17..<19)
        return Int(timegm(&parts))
    }

    /// YYYY-MM-DDTHH:MM:SS, optional fraction, then Z.
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return false }
        let pattern = Array("dddd-dd-ddTdd:dd:dd".utf8)
        for (index, expected) in pattern.enumerated() {
            let byte = bytes[index]
            if expected == UInt8(ascii: "d") { if !(byte >= 48 && byte <= 57) { return false } }
            else if byte != expected { return false }
        }
        let rest = bytes[19..<(bytes.count - 1)]
        if !rest.isEmpty {
            guard rest.first == UInt8(ascii: "."), rest.count >= 2, rest.dropFirst().allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
        }
        func number(_ range: Range<Int>) -> Int { bytes[range].reduce(0) { $0 * 10 + Int($1 - 48) } }
        let month = number(5..<7), day = number(8..<10), hour = number(11..<13), minute = number(14..<16), second = number(17..<19)
        return (1...12).contains(month) && (1...31).contains(day) && hour < 24 && minute < 60 && second < 61
    }
}

#if canImport(Glibc)
import Glibc
#endif
