import Foundation

/// Checks time-zone names against the system's zone database (tzdata), so a misspelt
/// zone is a config error instead of times silently shown in UTC.
enum TimeZoneNames {
    static func isKnown(_ name: String) -> Bool { TimeZone(identifier: name) != nil }
}
