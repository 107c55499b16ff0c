import Foundation

/// Times typed on the page ("2026-12-02T08:30", a date, or ISO 8601 with a zone) read in
/// the console's configured time zone, as epoch milliseconds.
public struct LocalTime: Sendable {
    public let zone: TimeZone

    public init(zoneName: String) { zone = TimeZone(identifier: zoneName) ?? TimeZone(identifier: "UTC")! }

    public func milliseconds(_ text: String) -> Int64? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return nil }
        if let number = Int64(text) { return number }  // already epoch milliseconds
        // With an explicit zone (Z or ±HH:MM) the text says where it is.
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = iso.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        iso.formatOptions = [.withInternetDateTime]
        if let date = iso.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        for format in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = zone
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        }
        return nil
    }

    /// Start of today in the zone, as epoch milliseconds.
    public func startOfToday(now: Date = Date()) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return Int64(calendar.startOfDay(for: now).timeIntervalSince1970 * 1000)
    }
}
